"""A faithful stand-alone fake of Zoho accounts (OAuth) and Zoho CRM REST API v2.

Start it with ``python -m zoho_sandbox`` or, in-process, with
:func:`zoho_sandbox.server.start_in_thread`. Production code never imports it.
"""
