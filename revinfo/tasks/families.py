"""All task families; importing this module registers every task (lazily: only names and
factories). One module per family."""

from revinfo.tasks import gaussian  # noqa: F401
from revinfo.tasks import transformed  # noqa: F401
from revinfo.tasks import heavy_tail  # noqa: F401
from revinfo.tasks import noisy_channel  # noqa: F401
from revinfo.tasks import deterministic  # noqa: F401
from revinfo.tasks import weight_noise  # noqa: F401
from revinfo.tasks import conditional, process  # noqa: F401
from revinfo.tasks import highdim, images, mixed, mixtures, pushed  # noqa: F401
