"""``python -m headline_tagger``: the same as the ``headline-tagger`` command."""

import sys

from .cli import main

sys.exit(main())
