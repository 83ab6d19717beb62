"""The worker process: django-q2's cluster, and beside it the recovery of sync requests
and CSV imports.

A schedule cannot run more often than the cluster's scheduler (every 30 s or so),
so the recovery that makes a lost task or a killed worker cost seconds runs here,
in the cluster's own parent process: where a cluster runs, so does its recovery.
"""

import logging

from django.core.management.base import BaseCommand
from django.db import DatabaseError, close_old_connections
from django_q.cluster import Cluster

from contacts.imports import imports_recover
from integration.tasks import RECOVER_AFTER, sync_recover

logger = logging.getLogger(__name__)
RECOVERIES = (sync_recover, imports_recover)


class Command(BaseCommand):
    help = "Start the task workers (django-q2) and the recovery of sync requests and imports."

    def handle(self, *args, **options) -> None:
        cluster = Cluster()
        cluster.start()
        every = RECOVER_AFTER.total_seconds() / 2
        while cluster.sentinel is not None and cluster.sentinel.is_alive():
            for recover in RECOVERIES:
                try:
                    recover()
                except DatabaseError:
                    logger.warning("%s failed; trying again", recover.__name__, exc_info=True)
            close_old_connections()
            cluster.sentinel.join(timeout=every)
