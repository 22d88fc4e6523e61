"""``python -m revinfo`` is the ``revinfo`` command."""

import sys

from revinfo.cli import main

sys.exit(main())
