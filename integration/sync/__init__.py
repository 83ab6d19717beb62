"""The sync engine: select → fetch → merge → write → record.

`merge` and `convert` are plain functions over plain data; `pull`, `push` and
`runner` do the I/O, with the Zoho client passed in.
"""
