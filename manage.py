#!/usr/bin/env python
import os
import sys


def main():
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "cms.settings.dev")
    from cms.startup import run_management_command

    sys.exit(run_management_command(sys.argv))


if __name__ == "__main__":
    main()
