"""The newcomer sandbox (scripts/sandbox.sh): the demo-shop seed, the Dashboard stand-in and Storefront pages, and
the HTTP host that serves them. Imported by scripts/sandbox.py and by tests/e2e/test_sandbox_browser.py."""
