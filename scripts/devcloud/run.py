#!/usr/bin/python3
"""Runs a Python console-script entry point by name, for the entry points whose scripts Debian
ships only in the service packages the dev cloud does not install (they set up /etc and databases).

  run.py MODULE:FUNCTION PROGRAM-NAME [ARGS...]
"""
import importlib
import sys

target, name = sys.argv[1], sys.argv[2]
sys.argv = [name] + sys.argv[3:]
module, function = target.split(":")
sys.exit(getattr(importlib.import_module(module), function)())
