"""A tiny Stack Exchange site on disk for the evaluation protocols' tests."""

from __future__ import annotations

from datetime import datetime, timedelta
from pathlib import Path
from xml.sax.saxutils import quoteattr

K8S = [
    ("Helm rollback fails after a kubernetes upgrade", "helm rollback kubernetes deployment"),
    ("Pod stuck in CrashLoopBackOff on kubernetes", "kubectl logs for a crashlooping pod"),
    ("Kubernetes ingress returns 502 after deploy", "ingress controller and service ports"),
    ("How to drain a kubernetes node safely", "kubectl drain with pod disruption budgets"),
    ("Helm chart values per environment in kubernetes", "helm values files per cluster"),
]
PG = [
    ("Postgres query ignores my index", "explain analyze shows a sequential scan in postgres"),
    ("Vacuum does not shrink the postgres table", "autovacuum and table bloat in postgresql"),
    ("Postgres replication lag keeps growing", "streaming replication wal sender postgresql"),
    ("Tune work_mem for a slow postgres sort", "postgres sort spills to disk, work_mem"),
    ("Postgres connection pool exhausted", "pgbouncer pool size for postgresql"),
]


def write_tiny_site(folder: Path) -> None:
    """Ten questions alternating topics; Kai answers Kubernetes, Pia answers Postgres."""
    start = datetime(2024, 1, 1)
    posts, next_id = [], 100
    for i in range(10):
        title, body = (K8S if i % 2 == 0 else PG)[i // 2]
        owner, answerer = (3, 1) if i % 2 == 0 else (3, 2)
        when = start + timedelta(days=i)
        qid, aid = i + 1, next_id + i
        posts.append(
            f'<row Id="{qid}" PostTypeId="1" CreationDate="{when.isoformat()}" Score="1" '
            f'Body={quoteattr("<p>" + body + "</p>")} OwnerUserId="{owner}" '
            f'Title={quoteattr(title)} AcceptedAnswerId="{aid}" />'
        )
        answer = f"<p>{body}: here is how I fixed it.</p>"
        posts.append(
            f'<row Id="{aid}" PostTypeId="2" ParentId="{qid}" Score="2" '
            f'CreationDate="{(when + timedelta(hours=1)).isoformat()}" '
            f'Body={quoteattr(answer)} OwnerUserId="{answerer}" />'
        )
    (folder / "Posts.xml").write_text(
        '<?xml version="1.0" encoding="utf-8"?>\n<posts>\n' + "\n".join(posts) + "\n</posts>\n",
        encoding="utf-8",
    )
    users = [(1, "Kai"), (2, "Pia"), (3, "Asker")]
    (folder / "Users.xml").write_text(
        '<?xml version="1.0" encoding="utf-8"?>\n<users>\n'
        + "\n".join(
            f'<row Id="{uid}" DisplayName="{name}" CreationDate="2023-01-01T00:00:00" />'
            for uid, name in users
        )
        + "\n</users>\n",
        encoding="utf-8",
    )
