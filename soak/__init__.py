"""The soak: the whole product, with real parts, under load, faults and kills, then checked.

`python -m soak` (or `make soak`) starts PostgreSQL-backed Django behind gunicorn, two
django-q2 clusters on Redis and the Zoho sandbox with faults; drives marketers, visitors
and sales reps for a bounded time while killing workers; then turns the faults off, runs
one more sync and checks that both sides agree and nothing was lost or created twice.
Loopback only. See soak/README.md.
"""
