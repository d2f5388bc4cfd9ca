"""``python -m retold`` works as the ``retold`` command."""
import sys

from retold.cli import main

sys.exit(main())
