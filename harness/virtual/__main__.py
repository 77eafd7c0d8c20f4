import sys

from harness.virtual.app import main

sys.exit(main())
