"""The information plane of a real network on real data, with exact values.

X is the data set itself (uniform on its N training rows), so I(X; T + sigma eps) and
I(Y; T + sigma eps) of every layer T are exact up to a Monte Carlo stderr
(:func:`revinfo.exact.mi_noisy_empirical`), next to the estimates the information-plane
literature used: binning (Shwartz-Ziv & Tishby 2017), the KDE upper bound (Saxe et al. 2018)
and sample propagation (Goldfeld et al. 2019). Also the MI-regularised binary autoencoder
(:mod:`revinfo.plane.autoencoder`). This top-level package uses both ``revinfo.exact`` and
``revinfo.estimate``; neither imports it.
"""

from revinfo.plane.data import clusters, digits
from revinfo.plane.network import HIDDEN, Recording, train_and_record
from revinfo.plane.run import run_plane, table

__all__ = ["HIDDEN", "Recording", "clusters", "digits", "run_plane", "table",
           "train_and_record"]
