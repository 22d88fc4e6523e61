"""Estimators under test. Every function returns an :class:`~revinfo.Estimate` in nats and
validates its input. This package never imports the ground truth (``revinfo.exact``,
``revinfo.tasks``, ``revinfo.flows``): an estimator must not see the truth."""

from revinfo.estimate.binned import entropy_binned, mi_binned
from revinfo.estimate.conditional import cmi_binned, cmi_gaussian, cmi_ksg
from revinfo.estimate.gaussian import mi_gaussian
from revinfo.estimate.kde import entropy_kde, mi_kde
from revinfo.estimate.knn import TiesWarning, entropy_knn, mi_ksg
from revinfo.estimate.neural import mi_neural
from revinfo.estimate.noisy import entropy_noisy, mi_noisy
from revinfo.estimate.transfer import transfer_entropy
from revinfo.estimate.vinfo import v_information

__all__ = [
    "TiesWarning",
    "cmi_binned",
    "cmi_gaussian",
    "cmi_ksg",
    "entropy_binned",
    "entropy_kde",
    "entropy_knn",
    "entropy_noisy",
    "mi_binned",
    "mi_gaussian",
    "mi_kde",
    "mi_ksg",
    "mi_neural",
    "mi_noisy",
    "transfer_entropy",
    "v_information",
]
