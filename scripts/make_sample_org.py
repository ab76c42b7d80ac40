#!/usr/bin/env python3
# ruff: noqa: E501  (hand-written prose pools: one sentence per line)
"""Generate the bundled fictional sample organisation in ``sample_org/``.

Lumen Orchard is an invented company; every name, bio, page and thread below was
written for this project. The output is deterministic (fixed seed, no network,
standard library + PyYAML only):

    python scripts/make_sample_org.py            # writes ./sample_org
    python scripts/make_sample_org.py --out DIR  # writes DIR

Files written: people.yml, wiki/**.md, wiki/**.html + wiki/page_authors.jsonl,
qa/{Posts,Users,Comments}.xml (Stack Exchange dump layout), mediawiki.xml
(MediaWiki export 0.11), expected.yml (topic -> expert + queries), README.md.
"""

from __future__ import annotations

import argparse
import hashlib
import html
import json
import math
import random
import re
import shutil
import xml.etree.ElementTree as ET
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from pathlib import Path

import yaml

SEED = 20250314
COMPANY = "Lumen Orchard"
WIKI_BASE = "https://wiki.example.com"
MW_BASE = "https://mw.example.com/wiki/"


# ---------------------------------------------------------------------------
# Topics: hand-written sentence pools, page titles, questions and snippets.
# ---------------------------------------------------------------------------


@dataclass
class Topic:
    key: str
    name: str
    folder: str
    tags: list[str]
    channel: str
    expert: str
    secondaries: list[str]
    pages: list[tuple[str, str]]  # (title, lead sentence)
    sentences: list[str]
    questions: list[tuple[str, str]]  # (title, body)
    snippets: list[tuple[str, str]]  # (language, code)
    table: list[list[str]]  # header row first
    queries: list[str]
    extra_html_page: tuple[str, str] | None = None
    mw_title: str | None = None


def lines(text: str) -> list[str]:
    return [line.strip() for line in text.strip().splitlines() if line.strip()]


def pairs(text: str) -> list[tuple[str, str]]:
    out = []
    for line in lines(text):
        left, right = line.split(" | ", 1)
        out.append((left.strip(), right.strip()))
    return out


def table(text: str) -> list[list[str]]:
    return [[cell.strip() for cell in line.split(" | ")] for line in lines(text)]


TOPICS: list[Topic] = []

TOPICS.append(
    Topic(
        key="kubernetes",
        name="Kubernetes deployments & Helm",
        folder="kubernetes-deployments",
        tags=["kubernetes", "helm", "kubectl", "deployment"],
        channel="#platform-k8s",
        expert="ana_kovac",
        secondaries=["tomasz_wisniewski", "mei_lin"],
        pages=pairs("""
        Rolling back a Helm release | When a deploy goes wrong, helm rollback returns a release to a known-good revision in seconds.
        Debugging pods in CrashLoopBackOff | A pod that keeps restarting is telling you something, and the logs of the previous container are the first place to look.
        Our shared service Helm chart | All backend services are packaged with one shared chart so that probes, labels and resources look the same everywhere.
        Rolling update strategy and probes | This page explains how our Deployments roll out new versions without dropping requests.
        Draining nodes and PodDisruptionBudgets | Node maintenance relies on PodDisruptionBudgets that are strict enough to protect services but loose enough to let drains finish.
        Namespaces, quotas and resource requests | Each team gets its own namespace with quotas, and resource requests decide where pods get scheduled.
        Canary releases with Argo Rollouts | The public API ships through progressive canaries that watch error rates before promoting a new version.
    """),
        sentences=lines("""
        Every service is deployed with the shared Helm chart in charts/service-base, and teams override only their values files per environment.
        A release that fails halfway can be returned to the previous revision with `helm rollback <release> <revision> -n <namespace>`.
        Run `helm history <release> -n <namespace>` first to see which revision was last marked as deployed.
        If Helm reports "another operation (install/upgrade/rollback) is in progress", the release secret is stuck in a pending-upgrade state and must be rolled back before the next upgrade.
        Pods in CrashLoopBackOff almost always explain themselves in `kubectl logs <pod> --previous`, which shows the output of the last crashed container.
        An OOMKilled reason in `kubectl describe pod` means the container exceeded its own memory limit, not that the node ran out of memory.
        Readiness probes decide whether a pod receives traffic while liveness probes decide whether the kubelet restarts it, so never point both at the same slow endpoint.
        We set `maxUnavailable: 0` and `maxSurge: 25%` on Deployments so that a rolling update never reduces serving capacity.
        The cluster autoscaler adds nodes only when pods are Pending because of insufficient CPU or memory requests, so requests must be realistic.
        Pods stuck in Pending with "0/12 nodes are available" usually point to a nodeSelector, a taint or a PersistentVolume in the wrong zone.
        ImagePullBackOff on a new release is nearly always a typo in the image tag or a missing imagePullSecret in the namespace.
        PodDisruptionBudgets protect services during node drains, but a PDB whose minAvailable equals the replica count blocks every drain.
        `helm diff upgrade` from the helm-diff plugin shows the rendered manifest changes before you apply them and is required in change reviews.
        Secrets are never committed to values files; they are synced from the vault by the External Secrets operator.
        Each team owns a namespace, and ResourceQuotas cap the total CPU and memory requests that a namespace can claim.
        Horizontal Pod Autoscalers scale on CPU by default, while queue workers scale on the KEDA queue-length metric instead.
        `kubectl rollout status deployment/<name>` blocks until the new ReplicaSet is fully available, and that is what the deploy job waits on.
        `kubectl rollout undo` reverts the Deployment but not the Helm release record, so prefer helm rollback to keep the history consistent.
        Chart versions follow semver and are published to the internal chart repository by the release pipeline, never from a laptop.
        When a node is cordoned for maintenance, `kubectl drain --ignore-daemonsets --delete-emptydir-data` evicts workloads while respecting PDBs.
        Init containers run database migrations before the app container starts, so a failing migration leaves the pod in Init:CrashLoopBackOff.
        The flags `helm upgrade --install --atomic --timeout 10m` make a failed upgrade roll itself back automatically.
        Ephemeral debug containers, started with `kubectl debug -it <pod> --image=busybox --target=app`, let you inspect a distroless container without rebuilding it.
        CPU limits cause throttling rather than restarts, so a slow service with heavy throttling needs a higher limit, not more replicas.
        The staging and production clusters run the same Kubernetes minor version, and upgrades reach staging two weeks before production.
        Argo Rollouts handles canary releases for the public API, shifting 10%, 30% and then 100% of traffic while it watches the error rate.
        The labels `app.kubernetes.io/name` and `app.kubernetes.io/instance` must be set by the chart, otherwise Services and NetworkPolicies will not select the pods.
        A namespace stuck in Terminating is usually held by a finalizer on a leftover custom resource.
    """),
        questions=pairs("""
        Helm upgrade stuck with "another operation is in progress" | Our deploy job for payments-api was cancelled halfway and now every helm upgrade fails with "another operation (install/upgrade/rollback) is in progress". How do I unstick the release without deleting it?
        Pod keeps restarting in CrashLoopBackOff after a config change | After changing an environment variable in values-prod.yaml the new pods restart every few seconds. kubectl get pods shows CrashLoopBackOff but the current logs are empty. Where should I look?
        How do I go back to the previous Helm revision? | A release we shipped an hour ago returns 500s. What is the safest way to return to the previous revision, and does that also revert the ConfigMap?
        Pods stuck in Pending: "0/12 nodes are available" | New worker pods stay Pending and the event says 0/12 nodes are available: 12 Insufficient memory. The cluster autoscaler does not add nodes. What is going on?
        Container OOMKilled even though the node has free memory | kubectl describe pod shows Last State: Terminated, Reason: OOMKilled, but the node has plenty of free memory. Why is the container killed?
        Node drain hangs forever on our namespace | The platform team could not drain a node because evicting our pods keeps failing. They mentioned a PodDisruptionBudget. What did we get wrong?
        ImagePullBackOff after bumping the image tag | I bumped image.tag in values-prod.yaml and the rollout is stuck with ImagePullBackOff. The image exists in the registry. Any ideas?
        Should I use kubectl rollout undo or helm rollback? | Both commands seem to revert a deployment. Is there a reason to prefer one over the other in our clusters?
        How do I get a shell in a distroless container? | Our image has no shell, so kubectl exec fails. How can I inspect files and the network from inside the pod?
        Namespace stuck in Terminating for two days | I deleted an old preview namespace and it has been Terminating for two days. How do I get rid of it safely?
    """),
        snippets=[
            (
                "bash",
                "helm history payments-api -n payments\nhelm rollback payments-api 41 -n payments --wait\nkubectl rollout status deployment/payments-api -n payments",
            ),
            (
                "bash",
                "kubectl get pods -n search -l app.kubernetes.io/name=indexer\nkubectl logs indexer-7d9f8c6b5-x2kqp -n search --previous\nkubectl describe pod indexer-7d9f8c6b5-x2kqp -n search | grep -A3 'Last State'",
            ),
            (
                "yaml",
                "strategy:\n  type: RollingUpdate\n  rollingUpdate:\n    maxUnavailable: 0\n    maxSurge: 25%\nreadinessProbe:\n  httpGet: {path: /healthz/ready, port: 8080}\n  periodSeconds: 5",
            ),
        ],
        table=table("""
        Symptom | First command | Usual cause
        CrashLoopBackOff | kubectl logs --previous | bad config or failing migration
        ImagePullBackOff | kubectl describe pod | wrong tag or missing pull secret
        Pending | kubectl get events | requests too large, taint or zone
        OOMKilled | kubectl describe pod | memory limit too low
    """),
        queries=[
            "helm rollback failed release",
            "who can help me debug a pod stuck in CrashLoopBackOff?",
        ],
        extra_html_page=(
            "Kubernetes cluster upgrades",
            "Twice a year the clusters move to a newer Kubernetes minor version, always staging first and production two weeks later.",
        ),
        mw_title="Kubernetes troubleshooting",
    )
)

TOPICS.append(
    Topic(
        key="postgres",
        name="PostgreSQL performance & query tuning",
        folder="postgresql-performance",
        tags=["postgresql", "performance", "sql", "indexing"],
        channel="#db-help",
        expert="rahul_menon",
        secondaries=["jose_munoz", "ingrid_berg", "viktor_horvath"],
        pages=pairs("""
        Reading EXPLAIN ANALYZE output | This page shows how to read a query plan and spot the node where the time is actually spent.
        Finding expensive queries with pg_stat_statements | Our first stop when the database is busy is the pg_stat_statements view.
        Indexing guidelines for Postgres | Rules of thumb for choosing, creating and retiring indexes on the production databases.
        Autovacuum tuning and table bloat | Tables with heavy updates need more aggressive autovacuum settings than the defaults.
        Safe schema migrations without long locks | Migrations must never block production traffic, which means lock timeouts and concurrent index builds.
        Connection pooling with PgBouncer | All application traffic reaches Postgres through PgBouncer in transaction pooling mode.
        Keyset pagination for large listings | Deep OFFSET pagination is slow, so large listings page by key instead.
    """),
        sentences=lines("""
        Always start a slow-query investigation with `EXPLAIN (ANALYZE, BUFFERS)` so you see actual row counts and buffer hits, not just the planner's estimates.
        A large gap between estimated and actual rows in a plan node usually means stale statistics, and running `ANALYZE` on the table fixes it.
        The pg_stat_statements extension is enabled on every cluster, and sorting by its `total_exec_time` column finds the queries that cost us the most.
        Sequential scans on big tables are fine for reporting queries but a red flag on anything served to the API.
        Create indexes in production with `CREATE INDEX CONCURRENTLY` so writes are not blocked, and check afterwards that the index was not left INVALID.
        A composite index on (account_id, created_at) serves queries that filter by account and sort by date, but not queries that filter only by date.
        Partial indexes with a clause such as `WHERE deleted_at IS NULL` keep the index small when most queries ignore soft-deleted rows.
        Autovacuum falls behind on tables with heavy updates, and the n_dead_tup column in pg_stat_user_tables shows how much bloat is waiting.
        We lower `autovacuum_vacuum_scale_factor` to 0.02 on the events and sessions tables so vacuum runs before bloat builds up.
        Long-running transactions hold back the xmin horizon and stop vacuum from removing dead rows anywhere in the database.
        Connections are capped by PgBouncer in transaction pooling mode, so session-level features such as prepared statements and advisory locks need care.
        The `work_mem` setting applies to every sort or hash operation separately, so raise it per session for heavy reports rather than globally.
        A line like "Sort Method: external merge Disk" in the plan means the sort spilled to disk because work_mem was too small for that query.
        Lock waits appear in pg_stat_activity with wait_event_type 'Lock', and `pg_blocking_pids()` tells you which session holds the lock.
        Migrations that add a column with a volatile default or change a column type rewrite the whole table under an ACCESS EXCLUSIVE lock.
        Always set `lock_timeout` in migrations so that a blocked ALTER TABLE fails quickly instead of queueing every other query behind it.
        Replication lag on the read replicas is visible in pg_stat_replication, and reports must tolerate a few seconds of staleness.
        The N+1 pattern from the ORM is the most common cause of slow endpoints: hundreds of tiny identical queries instead of one join.
        The `random_page_cost` setting is 1.1 on our SSD-backed instances so the planner does not over-prefer sequential scans.
        Unused indexes still slow down every write, and pg_stat_user_indexes rows with idx_scan = 0 are candidates for removal.
        OFFSET pagination gets slower the deeper you page, so large listings use keyset pagination on (created_at, id).
        The auto_explain module logs the plan of every statement slower than 500 ms to the database log.
        Monthly partitions keep the audit_log table manageable and let us drop old partitions instead of running huge DELETE statements.
        A query filtering on `lower(email)` cannot use a plain index on email; it needs an expression index on lower(email).
        Statement timeouts are 30 seconds for the API role and 15 minutes for the reporting role.
        Checkpoints that happen too often show up as I/O spikes, so checkpoint_timeout and max_wal_size are tuned per cluster.
        JSONB columns queried with the @> containment operator need a GIN index to avoid scanning the whole table.
        HOT updates skip index maintenance when no indexed column changes, so a lower fillfactor on hot tables can reduce write amplification.
    """),
        questions=pairs("""
        Query is fast in staging but takes 20 seconds in production | The same SELECT on orders joined to customers runs in 80 ms in staging but 20 s in production. The plan shows a nested loop estimated at rows=1 that actually returns 400k rows. What should I check?
        Index not used for case-insensitive email lookup | We query WHERE lower(email) = $1 and there is an index on email, yet the plan shows a Seq Scan. Why is the index ignored?
        Table keeps growing even though we delete rows | The sessions table is 40 GB but only has a few million live rows. Autovacuum seems to run. Why is disk usage not going down?
        ALTER TABLE blocked every query on the orders table | A migration adding a column hung for minutes and the whole API timed out behind it. How should we write migrations to avoid this?
        "prepared statement does not exist" errors through PgBouncer | After moving our service behind PgBouncer we randomly get prepared statement "S_1" does not exist. What is the fix?
        How do I find which session is blocking my UPDATE? | My UPDATE has been waiting for over a minute. How can I see who holds the lock?
        Sort spilling to disk in the monthly revenue report | The plan for our monthly revenue report shows Sort Method: external merge Disk: 1.2GB. Should we raise work_mem?
        Admin listing gets slower on later pages | The admin listing of events uses LIMIT 50 OFFSET n, and page 2000 takes several seconds. Is there a better way?
        Can I drop indexes that are never used? | We have 14 indexes on the events table and writes are slow. How do I know which ones are safe to remove?
        Slow JSONB containment query on the metadata column | A query filtering metadata @> '{"plan": "pro"}' scans the whole table. Which index do I need?
    """),
        snippets=[
            (
                "sql",
                "EXPLAIN (ANALYZE, BUFFERS)\nSELECT o.id, c.name\nFROM orders o JOIN customers c ON c.id = o.customer_id\nWHERE o.account_id = 4211\nORDER BY o.created_at DESC LIMIT 50;",
            ),
            (
                "sql",
                "SELECT query, calls,\n       round(total_exec_time) AS total_ms,\n       round(mean_exec_time)  AS mean_ms\nFROM pg_stat_statements\nORDER BY total_exec_time DESC LIMIT 20;",
            ),
            (
                "sql",
                "SET lock_timeout = '5s';\nCREATE INDEX CONCURRENTLY idx_orders_account_created\n    ON orders (account_id, created_at);\nSELECT pid, pg_blocking_pids(pid), wait_event_type, query\nFROM pg_stat_activity WHERE wait_event_type = 'Lock';",
            ),
        ],
        table=table("""
        Setting | Value | Why
        random_page_cost | 1.1 | SSD storage
        work_mem | 16MB | per operation; raise per session
        autovacuum_vacuum_scale_factor (events) | 0.02 | heavy updates
        statement_timeout (api role) | 30s | protects the pool
    """),
        queries=[
            "postgres slow query explain analyze index",
            "who knows how to speed up a slow SQL query that ignores my index?",
        ],
        mw_title="PostgreSQL tuning notes",
    )
)

TOPICS.append(
    Topic(
        key="payroll",
        name="Payroll, expenses & reimbursements",
        folder="payroll-and-expenses",
        tags=["payroll", "expenses", "reimbursement", "finance"],
        channel="#ask-finance",
        expert="greta_vogel",
        secondaries=["chiara_bianchi", "oliver_grant"],
        pages=pairs("""
        How to submit an expense claim | A step by step guide to getting your out-of-pocket costs reimbursed.
        Payroll calendar and cut-off dates | When salary is paid and when changes must reach Finance to be included in a payroll run.
        Travel per diems and meal allowances | How daily allowances for business travel work and when they are reduced.
        Receipt rules and VAT requirements | What counts as a valid receipt and why the itemised invoice matters.
        Corporate cards | Who gets a corporate card and how card transactions are reconciled.
        Mileage and home office allowances | Reimbursement rules for using a private car and for home-office costs.
        Bonuses, overtime and payslips | How variable pay shows up on your payslip and where to find payslips.
    """),
        sentences=lines("""
        Payroll runs on the 25th of each month, and changes to salary, bank details or tax class must reach Finance by the 15th to make that month's run.
        Expense claims are submitted in Spendwise, our expense tool, with a photo or PDF of the itemised receipt attached to each line.
        Claims under 250 EUR are approved by your line manager, and anything above also needs approval from the budget owner of the cost centre.
        Approved expenses are reimbursed with the next payroll run if they are approved before the 20th, otherwise with the following one.
        A credit card slip alone is not a valid receipt, because the tax authorities require the itemised invoice showing VAT.
        For hotel stays the company name and address must appear on the invoice so that we can reclaim the VAT.
        The per diem for business travel follows the official country rates and replaces individual meal receipts.
        If a meal is provided by the client or the conference, the per diem for that day is reduced by the statutory amount for that meal.
        Corporate cards are issued to people who travel more than four times a year, and everyone else claims through personal expenses.
        Corporate card transactions appear in Spendwise automatically within two days and must be matched with a receipt within 30 days.
        Mileage for private cars is reimbursed at 0.30 EUR per kilometre, and the claim needs the route, the date and the purpose of the trip.
        Payslips are published in the HR portal two working days before payday, and they stay available there after you leave.
        Annual bonus payments are paid with the March payroll once the annual review has been signed off.
        Overtime for hourly staff is exported from the time-tracking tool on the 16th and appears on the same month's payslip.
        Employees in other countries are paid through our employer-of-record partner, whose payroll calendar differs from ours.
        The home-office allowance of 40 EUR per month is paid automatically with the salary and needs no receipts.
        Home-office equipment over 800 EUR goes through procurement rather than expenses, because it becomes company property.
        A lost receipt can be replaced by a signed missing-receipt declaration, but only twice per calendar year.
        Foreign-currency expenses are converted at the card statement rate, or at the ECB reference rate of the purchase day for cash.
        Duplicate claims are flagged automatically when the amount, date and merchant match an earlier claim, and a short explanation clears the flag.
        Expenses older than three months are rejected unless the budget owner approves an exception.
        Alcohol is not reimbursable except at approved client entertainment events, and those claims need the guest list.
        Salary advances are possible in exceptional cases and are deducted over the following three payroll runs.
        A new bank account takes effect for the next payroll only after the verification call with Finance.
        Travel booked through the travel desk is paid centrally and must not be claimed again as an expense.
        The annual tax certificate is issued by the end of February for the previous calendar year.
        Training and conference fees are claimable against your personal learning budget of 1,200 EUR per year.
        Rejected claims come back with a comment from the approver and can be corrected and resubmitted in Spendwise.
    """),
        questions=pairs("""
        When will my approved expense claim be paid out? | My manager approved my Berlin travel claim on the 22nd. Will the money come with this month's salary or the next one?
        I lost the receipt for a client dinner | I paid for a client dinner and can only find the card slip. Can I still claim it?
        Does the per diem still apply if the conference provides lunch? | I am attending a three-day conference where lunch is included. How do I fill in the per diem in my claim?
        How do I change the bank account my salary goes to? | I moved banks. What is the deadline to get my salary paid into the new account?
        Claim rejected as a duplicate | Spendwise flagged my taxi expense as a duplicate, but I really took two taxis with the same fare on the same day. What should I do?
        Can I expense a new office chair for working from home? | My chair at home is broken and the one I want costs 950 EUR. Can I put it on expenses?
        Where can I find my payslips from last year? | I need my payslips from 2024 for a mortgage application. Where are they?
        How is mileage reimbursed when I drive to a customer site? | I will drive 180 km to a customer workshop. What rate do we pay and what do I need to include?
        Corporate card transaction still missing a receipt after 30 days | I got a reminder that a card transaction from last month has no receipt. What happens if I cannot find it?
        Overtime hours missing from my payslip | I logged 12 overtime hours in the last week of the month but they are not on this payslip. Did I miss a deadline?
    """),
        snippets=[
            (
                "text",
                "Claim: customer workshop Munich, 12-14 March\nLine 1  Train Hamburg-Munich    129.90 EUR  receipt: rail-ticket.pdf\nLine 2  Hotel (2 nights)        238.00 EUR  receipt: hotel-invoice.pdf\nLine 3  Per diem Germany x3     (calculated)\nCost centre: 4100 Sales DACH\nApprovers: line manager + budget owner",
            ),
            (
                "text",
                "Payroll calendar\n15th  cut-off for salary, bank and tax changes\n16th  overtime export from time tracking\n20th  expense approval cut-off\n25th  salary paid",
            ),
            (
                "text",
                "Mileage claim\nDate: 2025-04-08\nRoute: Hamburg office -> Luebeck customer site -> Hamburg office\nDistance: 142 km x 0.30 EUR = 42.60 EUR\nPurpose: onboarding workshop",
            ),
        ],
        table=table("""
        Item | Rule | Approver
        Expenses under 250 EUR | itemised receipt | line manager
        Expenses over 250 EUR | itemised receipt | manager and budget owner
        Home equipment over 800 EUR | via procurement | IT and procurement
        Conference fee | learning budget | line manager
    """),
        queries=[
            "expense reimbursement deadline receipt",
            "who do I ask about when my travel costs get paid back?",
        ],
        extra_html_page=(
            "Expense approval limits",
            "Who approves which expenses, and which claims need an extra sign-off from the budget owner.",
        ),
    )
)

TOPICS.append(
    Topic(
        key="privacy",
        name="GDPR, data privacy & retention",
        folder="data-privacy",
        tags=["gdpr", "privacy", "data-retention", "compliance"],
        channel="#privacy",
        expert="aoife_ni_bhriain",
        secondaries=["renee_dubois", "hannah_schmidt"],
        pages=pairs("""
        Handling data subject access requests | How we receive, verify and answer DSARs within the legal deadline.
        Data retention schedule | How long each category of personal data is kept and what happens to it afterwards.
        When you need a DPIA | Which product changes require a Data Protection Impact Assessment and how to start one.
        Reporting a personal data breach | The 72-hour clock and what engineers must record when personal data may have been exposed.
        Onboarding a new vendor or subprocessor | The contracts and checks required before a vendor sees any personal data.
        Personal data in logs and test environments | Personal data stays out of logs, staging environments and laptops.
        Consent and cookies | How consent for marketing emails and cookies is collected and recorded.
    """),
        sentences=lines("""
        Every system that stores personal data must be listed in the record of processing activities (RoPA) with its purpose, legal basis and retention period.
        Data subject access requests must be answered within one month, so the privacy team logs each DSAR on the day it arrives.
        A request for erasure also covers backups, but backups may expire naturally within their retention window instead of being edited.
        Customer event data is kept for 25 months, after which the nightly retention job deletes or aggregates it.
        Support tickets are anonymised 24 months after they are closed, which removes names, email addresses and attachments.
        A Data Protection Impact Assessment is required before we launch any feature that profiles users or processes personal data at large scale.
        Personal data breaches must be reported to the supervisory authority within 72 hours of us becoming aware of them.
        Every new vendor that processes personal data on our behalf needs a signed Data Processing Agreement before any data is shared.
        Transfers of personal data outside the EEA rely on Standard Contractual Clauses plus a transfer impact assessment.
        Production data must never be copied to staging or developer laptops; use the synthetic fixtures or the masked snapshot instead.
        Pseudonymised data, including hashed email addresses, is still personal data under the GDPR, while properly anonymised aggregates are not.
        Legitimate interest can be the legal basis for product analytics only after a documented balancing test.
        Marketing emails require opt-in consent, and the consent record stores when, where and to which wording the user agreed.
        Cookie banners must offer a reject-all button on the first layer that is as easy to use as accept-all.
        Application logs must not contain email addresses, payment data or free-text fields that may hold personal data.
        The data map in the privacy wiki shows which categories of personal data flow between services and subprocessors.
        Employee personal data has its own retention rules and is handled by People Operations together with Legal.
        Special category data such as health information may only be processed with explicit consent or a specific legal exemption.
        Privacy by design means collecting only the fields a feature needs and agreeing the retention period before launch.
        Erasure requests are executed by the erasure pipeline, which calls the delete endpoint of every service registered in the data map.
        The right to data portability means exporting the user's data in a machine-readable format such as JSON or CSV.
        Customer contracts may set shorter retention periods than our defaults, and those overrides are stored per tenant.
        Retention periods are reviewed every year by the privacy team together with each data owner.
        The subprocessor list is published on the trust page, and customers get 30 days notice before a new subprocessor is added.
        Access to personal data in the admin console is logged and reviewed every quarter.
        IP addresses are truncated after seven days in web analytics to reduce identifiability.
        When in doubt whether something is personal data, assume it is and ask the privacy team before shipping.
        Data minimisation is part of the design review template for every new service.
        Copying customer data into a test environment, even a single table for debugging, needs written approval from the privacy team first.
        The masked snapshot replaces names, email addresses and free-text fields, so test environments can work with realistic customer data safely.
    """),
        questions=pairs("""
        A customer asked for all the data we hold about them | Support received an email asking for a copy of all personal data we store about one user. What is the process and the deadline?
        Can I copy a production table to staging to reproduce a bug? | I need realistic data to reproduce a billing bug. Is a one-off copy of the invoices table to staging acceptable?
        How long may we keep raw clickstream events? | For a new analytics feature I want to keep raw events for five years. Which retention period applies?
        Do we need a privacy assessment for churn scoring? | We plan to score every user of our customers on churn risk and show the score to account managers. Does this need a formal assessment first?
        Right to be forgotten and our database backups | A user asked to be erased. Do we also have to scrub them from database backups?
        Is a hashed email address still personal data? | We want to send SHA-256 hashed email addresses to an advertising partner. Is that anonymous enough?
        We emailed a CSV with customer names to the wrong partner | A spreadsheet with 300 customer names and email addresses went to the wrong external address. What do I need to do right now?
        Can we use a US-based transcription vendor for sales calls? | The sales team wants to record calls and send the audio to a US transcription service. What is needed first?
        Our auth service logs user email addresses | I noticed the auth service logs the full email address on every failed login. How urgent is this and how should we fix it?
        What is the legal basis for first-party product analytics? | Do we need consent for first-party product analytics, or can we rely on legitimate interest?
    """),
        snippets=[
            (
                "text",
                "DSAR log entry\nReceived: 2025-02-03 via privacy@example.com\nIdentity verified: yes (login + email confirmation)\nSystems searched: core-db, billing, support desk, CRM, analytics\nDue date: 2025-03-03   Owner: privacy team",
            ),
            (
                "yaml",
                "# data map entry for one service\nservice: billing-api\npersonal_data: [name, email, billing_address, vat_id]\nlegal_basis: contract\nretention: 10y after contract end (tax law)\nerasure_endpoint: DELETE /internal/users/{id}",
            ),
            (
                "text",
                "Breach record\nDetected: 2025-06-11 09:42 UTC   Reported to DPO: 10:05 UTC\nData categories: names, email addresses   Records: ~300\nRisk assessment: medium\nAuthority notified: yes, within the 72 hour deadline",
            ),
        ],
        table=table("""
        Data category | Retention | Afterwards
        Product events | 25 months | deleted or aggregated
        Support tickets | 24 months after closing | anonymised
        Invoices | 10 years | kept for tax law
        Web analytics IP addresses | 7 days | truncated
    """),
        queries=[
            "gdpr personal data retention period",
            "who should I talk to before copying customer data into a test environment?",
        ],
        mw_title="GDPR for engineers",
    )
)

TOPICS.append(
    Topic(
        key="frontend",
        name="React front-end & accessibility",
        folder="web-frontend",
        tags=["reactjs", "accessibility", "typescript", "frontend"],
        channel="#web-frontend",
        expert="zoe_lefevre",
        secondaries=["mateo_rossi", "lea_novak"],
        pages=pairs("""
        Accessibility checklist for pull requests | What reviewers check before merging any UI change.
        Building accessible modal dialogs | Focus management, escape handling and labelling for dialogs.
        Forms, labels and error messages | How to build forms that work with screen readers and keyboards.
        Data fetching with TanStack Query | How the web app loads and caches server state.
        Keeping the JavaScript bundle small | Code splitting and bundle budgets for the React app.
        Testing components by role | Why our component tests query by role and how axe runs in Playwright.
        Common React pitfalls in our codebase | Recurring mistakes we see in code review and how to avoid them.
    """),
        sentences=lines("""
        The web app is a React 18 single-page application written in TypeScript and built with Vite.
        Shared components live in the design-system package, and product teams should not restyle them with ad-hoc CSS overrides.
        Every interactive element must be reachable and operable with the keyboard alone, in a logical tab order.
        Use native elements like `<button>` and `<a href>` instead of clickable divs, because they bring focus, keyboard handling and roles for free.
        Icon-only buttons need an `aria-label`, otherwise screen readers announce them as just "button".
        Modal dialogs trap focus while they are open and return focus to the element that opened them when they close.
        Text must meet WCAG 2.1 AA contrast, which is 4.5:1 for normal text and 3:1 for large text and UI components.
        Form fields need a visible `<label>` linked with htmlFor, and error messages must be connected through `aria-describedby`.
        The axe-core checks run in our Playwright tests, and any new serious or critical violation fails the pull request.
        Screen reader testing is done with NVDA on Windows and VoiceOver on macOS before every major release.
        Server state is fetched with TanStack Query, while local UI state stays in component state rather than in a global store.
        The `useEffect` hook is not for deriving data, so compute derived values during render or with `useMemo` instead.
        A missing or unstable `key` prop in lists makes React reuse the wrong component state when items are reordered.
        Large lists such as the audit log use virtualisation with react-window to keep scrolling smooth.
        Routes are code-split with `React.lazy` and Suspense so that the initial bundle stays under 250 kB gzipped.
        The bundle analyzer report is attached to each release build, and growth of more than 10% needs a justification.
        Hydration warnings in the console mean the server-rendered HTML differs from the first client render, often because of dates or random IDs.
        Use the `useId` hook to generate ids that link labels and inputs, since it is stable between server and client.
        Live regions with `aria-live="polite"` announce toast notifications without stealing keyboard focus.
        Respect the `prefers-reduced-motion` media query and switch off non-essential animations when it is set.
        Component tests use React Testing Library and query by role and accessible name, the same way users find elements.
        Storybook hosts every design-system component together with its accessibility notes and keyboard behaviour.
        Colour must never be the only way to convey information, so error states also need an icon or text.
        Skip links at the top of each page let keyboard users jump straight to the main content.
        Unnecessary re-renders should be measured with the React DevTools profiler before anyone reaches for `React.memo`.
        Images need meaningful alt text, and decorative images get an empty alt attribute so that screen readers skip them.
        The ESLint plugin jsx-a11y runs in CI and catches missing alt text and invalid ARIA attributes early.
        Headings must follow a logical order with one h1 per page, because screen reader users navigate by headings.
    """),
        questions=pairs("""
        Screen reader announces our icon button as just "button" | The close button in the sidebar only contains an SVG icon, and VoiceOver reads "button" with no name. How should we label it?
        Focus gets lost after closing the settings modal | When the modal closes, keyboard focus jumps to the top of the page. How do we return it to the button that opened it?
        axe check failing on colour contrast on the pricing page | Playwright reports a serious color-contrast violation on grey helper text. Which ratio do we need to meet?
        Hydration mismatch warning caused by relative dates | We render "3 minutes ago" on the server and on the client and get a hydration warning. How do we fix it?
        Rows lose their input state when the table is sorted | When the user sorts the table, text typed into row inputs ends up in the wrong row. What is causing this?
        How do I connect an error message to an input for screen readers? | Our form shows red text under invalid fields but screen readers do not read it. What is the correct pattern?
        Initial JavaScript bundle grew to 400 kB | After adding a charting library the main bundle grew a lot. How do we load it only where it is needed?
        Should I compute filtered data in useEffect? | I keep a filtered copy of a list in state and update it in useEffect. A reviewer said this is wrong. Why?
        Toast notifications are silent for screen reader users | Our toasts appear visually but screen reader users never hear them. What should we change?
        Clickable table rows are not keyboard accessible | Our table rows open a detail view on click, but keyboard users cannot activate them. What is the right fix?
    """),
        snippets=[
            (
                "tsx",
                '<button type="button" aria-label="Close sidebar" onClick={onClose}>\n  <CloseIcon aria-hidden="true" />\n</button>',
            ),
            (
                "tsx",
                "const id = useId();\n<label htmlFor={id}>Email</label>\n<input id={id} aria-invalid={!!error} aria-describedby={`${id}-error`} />\n{error && <p id={`${id}-error`}>{error}</p>}",
            ),
            (
                "ts",
                "test('settings page has no serious a11y violations', async ({ page }) => {\n  await page.goto('/settings');\n  const results = await new AxeBuilder({ page }).analyze();\n  const serious = results.violations.filter(v => ['serious', 'critical'].includes(v.impact));\n  expect(serious).toEqual([]);\n});",
            ),
        ],
        table=table("""
        Check | Tool | Blocks merge
        Missing alt text | eslint-plugin-jsx-a11y | yes
        Colour contrast | axe-core in Playwright | yes
        Keyboard navigation | manual review | yes
        Bundle size growth | bundle analyzer | above 10%
    """),
        queries=[
            "react aria-label screen reader keyboard focus",
            "who can review my form for keyboard and screen reader support?",
        ],
        mw_title="Accessibility guidelines",
    )
)

TOPICS.append(
    Topic(
        key="ml",
        name="Machine-learning model training & evaluation",
        folder="machine-learning",
        tags=["machine-learning", "pytorch", "model-evaluation", "mlflow"],
        channel="#ml-guild",
        expert="kenji_watanabe",
        secondaries=["ayesha_siddiqui", "ingrid_berg"],
        pages=pairs("""
        Training pipeline and experiment tracking | How training jobs are launched and tracked in MLflow.
        Designing train, validation and test splits | How to split data for training and evaluation without leakage.
        Evaluation metrics we use | Which metrics we report for classification, ranking and embeddings, and why.
        Debugging unstable training | What to do when the loss explodes, turns NaN or stops improving.
        Promoting a model to production | The checks a model must pass before it replaces the current champion.
        Monitoring drift and retraining | How production models are watched for data drift and when they get retrained.
        Using the shared GPU pool | Requesting GPUs, using mixed precision and making training jobs fit in memory.
    """),
        sentences=lines("""
        All training runs are tracked in MLflow together with the git commit, the dataset version, the hyperparameters and the evaluation metrics.
        Datasets are versioned with DVC, and every model card must name the exact dataset version used for training.
        We split data by customer rather than by row, otherwise near-duplicate examples leak from the training set into the test set.
        For time-dependent problems such as churn, the validation set always comes from a later period than the training set.
        The ticket classifier is evaluated on macro F1 because minority classes matter as much as the common ones.
        Accuracy is misleading on imbalanced data, so report precision, recall and PR-AUC alongside it.
        Class weights or focal loss are preferred over random oversampling when one class is rare.
        Early stopping on the validation loss with a patience of three epochs is the default in our training template.
        Training jobs run on the shared GPU pool through the job queue, and each job must request the GPU type it needs, such as A10 or A100.
        Mixed precision training with `torch.autocast` roughly halves memory use and speeds up training on A100s.
        A loss that turns NaN usually points to a learning rate that is too high or to a logarithm of zero in a custom loss function.
        Set the seeds for Python, NumPy and PyTorch and enable deterministic algorithms when you need to reproduce a result exactly.
        Hyperparameter searches use Optuna with a fixed budget of trials, and every trial is logged as a nested MLflow run.
        Calibration matters when scores are shown to users as probabilities, so we check reliability diagrams and apply temperature scaling.
        A model is promoted to production only when it beats the current champion on the frozen benchmark set and passes the fairness slice checks.
        The frozen benchmark set is never used for tuning, because using it repeatedly turns it into a second validation set.
        Offline metrics are confirmed by a shadow deployment that scores live traffic without affecting users.
        Feature drift is monitored with the population stability index, and a PSI above 0.2 triggers a retraining review.
        Embedding models for search are evaluated with recall@10 and nDCG@10 on a hand-labelled query set.
        Five-fold cross-validation is used for small datasets, stratified by label so that each fold keeps the class balance.
        Gradient accumulation gives a large effective batch size when the GPU memory is too small for it.
        Learning rate warm-up followed by cosine decay is the default schedule for fine-tuning transformer models.
        The model registry stores every production model with its model card, its owner and the version to roll back to.
        Confusion matrices are attached to each evaluation report so that reviewers can see which classes get mixed up.
        Labelling guidelines are versioned, and inter-annotator agreement is measured with Cohen's kappa before a dataset is used.
        Overfitting shows up as validation loss rising while training loss keeps falling, and the fix is regularisation or more data rather than more epochs.
        Batch inference jobs load the model from the registry by alias, so rolling back means pointing the alias at the previous version.
        A simple baseline such as logistic regression on TF-IDF features must be reported in every evaluation for comparison.
    """),
        questions=pairs("""
        Validation accuracy is 98% but the model is useless in production | Our ticket classifier shows 98% accuracy offline, but support agents say it is wrong most of the time. What might we be doing wrong in evaluation?
        Training loss becomes NaN after a few hundred steps | While fine-tuning a transformer on our data, the loss turns NaN around step 400. What should I check first?
        How should I split the data for a churn model? | I randomly split customer-month rows 80/20 and got great results. A colleague says this leaks. Why?
        CUDA out of memory on the A10 queue | My fine-tuning job fails with CUDA out of memory at batch size 32. Do I need an A100 or are there other options?
        Which metric should we use for a rare-class fraud detector? | Only 0.5% of transactions are fraud. Is ROC-AUC enough to compare models?
        Can't reproduce last month's model results | I re-ran the training script with the same config and get F1 two points lower. How do we make runs reproducible?
        How do we roll back a bad model in production? | The new ranking model hurt conversions. How do we go back to the previous model quickly?
        How do I know when a model needs retraining? | Our lead-scoring model was trained a year ago. Which signals tell us it is time to retrain?
        Is it OK to tune hyperparameters on the benchmark set? | We ran Optuna against the benchmark set to pick the best config and a reviewer objected. Who is right?
        Evaluating a new embedding model for search | We want to switch the embedding model used by search. How do we evaluate the candidate offline?
    """),
        snippets=[
            (
                "python",
                'with mlflow.start_run(run_name="ticket-clf-v7"):\n    mlflow.log_params({"lr": 3e-5, "batch_size": 16, "dataset": "tickets@v12"})\n    trainer.fit(model, train_loader, val_loader)\n    mlflow.log_metrics({"macro_f1": 0.812, "pr_auc": 0.774})',
            ),
            (
                "python",
                'from sklearn.model_selection import GroupShuffleSplit\n\nsplitter = GroupShuffleSplit(n_splits=1, test_size=0.2, random_state=42)\ntrain_idx, test_idx = next(splitter.split(X, y, groups=df["customer_id"]))',
            ),
            (
                "python",
                'scaler = torch.cuda.amp.GradScaler()\nwith torch.autocast(device_type="cuda", dtype=torch.float16):\n    loss = model(**batch).loss / accumulation_steps\nscaler.scale(loss).backward()',
            ),
        ],
        table=table("""
        Task | Primary metric | Also report
        Ticket classification | macro F1 | confusion matrix
        Fraud detection | PR-AUC | precision at fixed recall
        Search embeddings | nDCG@10 | recall@10
        Churn prediction | PR-AUC | calibration curve
    """),
        queries=[
            "model evaluation metrics data leakage split",
            "who can help me figure out why my training loss goes to NaN?",
        ],
        mw_title="Model evaluation handbook",
    )
)

TOPICS.append(
    Topic(
        key="security",
        name="Security incident response & on-call",
        folder="security-incident-response",
        tags=["security", "incident-response", "on-call", "phishing"],
        channel="#sec-incident",
        expert="fatima_haddad",
        secondaries=["bjorn_hakansson", "tomasz_wisniewski"],
        pages=pairs("""
        Security incident response runbook | The steps every responder follows from the first report to closure.
        Security on-call rotation and handover | How the weekly security on-call works and what the handover covers.
        Responding to a leaked credential | What to do when an API key, password or token is exposed.
        Phishing reports and compromised accounts | What happens after someone reports or falls for a phishing email.
        Incident severity levels | How we classify security incidents and who gets paged.
        Post-incident reviews | How we run blameless reviews and track follow-up actions.
        Handling a compromised laptop | Isolation, evidence preservation and recovery for endpoints.
    """),
        sentences=lines("""
        Anyone who suspects a security incident reports it in the #sec-incident channel or pages the security on-call through PagerDuty.
        The security on-call rotation runs weekly from Monday 10:00 CET with a primary and a secondary responder.
        SEV1 means confirmed unauthorised access to customer data or production systems, and it pages the incident commander immediately.
        The first responder opens an incident document from the template and keeps a timeline with UTC timestamps.
        Containment comes before investigation: revoke the credential, isolate the host or block the IP address before digging deeper.
        A leaked AWS access key is disabled in IAM first, and only then is CloudTrail reviewed for what the key was used for.
        Secrets pushed to GitHub must be rotated even if the commit is deleted, because forks, caches and scrapers keep a copy.
        Compromised laptops are isolated through the EDR console, which cuts all network access except to the security tooling.
        Do not power off a compromised machine, because memory contents are evidence and are lost on shutdown.
        Evidence such as disk images and log exports is stored in the forensic bucket with object lock enabled.
        Phishing emails are reported with the Report Phish button, which forwards the original message with its headers to the security mailbox.
        If you clicked a phishing link and entered your password, reset it immediately and tell the on-call so they can revoke your sessions.
        Suspicious logins are detected by the SIEM, which alerts on impossible travel and on logins from new countries for admin accounts.
        The incident commander owns decisions and communication, while responders focus on the technical work.
        Customer-facing communication about a security incident is always reviewed by Legal and the privacy team.
        Every SEV1 and SEV2 incident gets a blameless post-incident review within five working days.
        Action items from post-incident reviews are tracked as tickets with owners and due dates in the SEC project.
        The on-call handover note lists open incidents, noisy detections and anything unusual seen during the week.
        Tabletop exercises run every quarter to practise scenarios such as ransomware or a stolen production credential.
        Break-glass accounts for production are only used during incidents, and every use is reviewed afterwards.
        Attacks on the web application show up first in the WAF logs, and the on-call responder may add temporary block rules.
        Vulnerability reports from external researchers arrive through security@example.com and are triaged within two working days.
        Critical CVEs in internet-facing services must be patched within 72 hours or mitigated with a documented workaround.
        Each incident gets a dedicated Slack channel named inc-YYYYMMDD-short-name so that the discussion stays in one place.
        The security on-call has the authority to take a service offline if it is being actively exploited.
        Session tokens for all users of a tenant can be revoked through the admin API during an account takeover.
        Logs needed for investigations are kept for at least one year in the SIEM and cannot be modified.
        Malware alerts from the EDR must be acknowledged within 15 minutes during business hours.
    """),
        questions=pairs("""
        I accidentally committed an AWS key to a public repo | I pushed a commit containing an access key and deleted it within a minute. Is deleting the commit enough?
        I typed my password into a fake login page | I clicked a link in an email that looked like our SSO page and entered my password. What do I do now?
        What counts as a SEV1 security incident? | We found an admin endpoint that was reachable without authentication for a few hours. Is this SEV1 or SEV2?
        Should I shut down a laptop that shows malware alerts? | The EDR flagged ransomware-like behaviour on a designer's laptop. Should we turn it off right away?
        How do I page the security on-call at night? | I saw suspicious admin logins from an unknown country at 2 a.m. Whom do I contact, and how?
        How quickly must we patch a critical CVE in nginx? | A critical CVE was published for the nginx version on our edge proxies. What is the required timeline?
        A security researcher emailed us about a bug | Someone reported an XSS vulnerability to our support address. Where should this go?
        Blocking an IP that is brute forcing our login endpoint | The login endpoint gets thousands of attempts per minute from a few IP addresses. Can on-call block them directly?
        How do we revoke all sessions for a compromised customer tenant? | A customer admin account was taken over. How do we log out every user of that tenant?
        What goes into the security on-call handover? | I start my first security on-call week on Monday. What should I expect to receive from the previous responder?
    """),
        snippets=[
            (
                "bash",
                "aws iam update-access-key --user-name ci-deployer \\\n    --access-key-id AKIAEXAMPLEKEY123 --status Inactive\naws cloudtrail lookup-events --max-results 50 \\\n    --lookup-attributes AttributeKey=AccessKeyId,AttributeValue=AKIAEXAMPLEKEY123",
            ),
            (
                "text",
                "Incident timeline (UTC)\n09:12  SIEM alert: impossible travel for an admin user\n09:15  on-call acknowledged, channel inc-20250312-admin-login opened\n09:21  sessions revoked, password reset forced\n09:40  CloudTrail and SSO logs exported to the forensic bucket",
            ),
            (
                "text",
                "Severity  Definition                                        Pages\nSEV1      confirmed access to customer data or production   incident commander + on-call\nSEV2      likely compromise, contained                      security on-call\nSEV3      policy violation or suspicious activity           next business day",
            ),
        ],
        table=table("""
        Situation | First action | Then
        Leaked cloud key | disable the key | review CloudTrail
        Phished password | reset the password | revoke sessions
        Malware alert | isolate via EDR | image the disk
        Brute-force logins | WAF block rule | review affected accounts
    """),
        queries=[
            "leaked credential security incident on-call",
            "who do I contact if I clicked a phishing link and typed my password?",
        ],
        extra_html_page=(
            "Security tabletop exercises",
            "Quarterly tabletop exercises keep the incident process fresh for everyone who might be pulled into a real incident.",
        ),
        mw_title="Incident response quick reference",
    )
)

TOPICS.append(
    Topic(
        key="cicd",
        name="CI/CD pipelines (GitHub Actions, build caching)",
        folder="ci-cd-pipelines",
        tags=["github-actions", "continuous-integration", "build-cache", "docker"],
        channel="#dev-productivity",
        expert="lukasz_wojcik",
        secondaries=["mei_lin", "mateo_rossi"],
        pages=pairs("""
        Reusable GitHub Actions workflows | How to use the shared workflows from the ci-templates repository.
        Dependency and build caching | How caching works in our pipelines and how to get good hit rates.
        Faster Docker image builds | BuildKit layer caching and Dockerfile ordering for quick image builds.
        Self-hosted runners | Runner labels, capacity and what to do when jobs are not picked up.
        Release and deployment pipeline | How a tag becomes a signed image running in production.
        Dealing with flaky tests | Our policy for quarantining and fixing flaky tests.
        Secrets and OIDC in CI | How pipelines authenticate to the cloud without long-lived keys.
    """),
        sentences=lines("""
        All repositories build with GitHub Actions, and shared logic lives in reusable workflows in the ci-templates repository.
        Jobs run on our self-hosted runners labelled `linux-large` for builds and `linux-small` for linting and other small checks.
        Dependency caches use `actions/cache` keyed on the hash of the lockfile, for example `hashFiles('**/poetry.lock')`.
        A cache key that contains the commit SHA never hits, so key on lockfiles and use restore-keys for partial matches.
        Docker builds use BuildKit with `--cache-from` and `--cache-to` pointing at the registry, which cuts image builds from twelve minutes to about three.
        Order Dockerfile instructions from the least to the most frequently changing, so that copying the source code does not invalidate the dependency layer.
        The main branch is protected, and merging needs a green set of required checks and one approving review.
        Flaky tests are quarantined with the `@flaky` marker and tracked on the flaky-test dashboard instead of being retried silently.
        Workflow concurrency groups cancel outdated runs on the same pull request to save runner capacity.
        Path filters skip the front-end pipeline when a pull request only touches backend code, and the other way round.
        Deployments get cloud credentials through OIDC federation instead of long-lived keys stored as GitHub secrets.
        Pull requests from forks do not get access to secrets, so integration tests that need credentials run only after merge.
        Test suites are split across parallel jobs with a matrix and timing-based sharding, which keeps the backend suite under ten minutes.
        Artifacts such as coverage reports and built wheels are uploaded with `actions/upload-artifact` and kept for 14 days.
        Releases are cut by pushing a semver tag, which triggers the release workflow that builds, signs and publishes the artifacts.
        Container images are signed with cosign, and the deploy pipeline refuses unsigned images.
        The deploy pipeline promotes the same image digest from staging to production, and nothing is rebuilt between environments.
        Production deployments need a manual approval in the GitHub environment from someone other than the author.
        A job stuck in "Waiting for a runner to pick up this job" usually requests a runner label that does not exist, or the pool is saturated.
        Renovate opens dependency update pull requests every Monday, and patch updates with green checks are merged automatically.
        Third-party actions are pinned to a full commit SHA rather than a tag to protect against supply-chain attacks.
        The `workflow_dispatch` trigger lets you re-run a deployment by hand with inputs such as the target environment.
        The `act` tool can run simple workflows locally, but it does not emulate our self-hosted runners, so verify changes on a branch.
        Build minutes and cache hit rates are reported every week on the developer productivity dashboard.
        The GitHub Actions cache is limited to 10 GB per repository, and the oldest entries are evicted when it fills up.
        Re-running only the failed jobs keeps the successful matrix legs and their artifacts.
        Lint, type checks and unit tests must pass before the slower integration jobs start, which is expressed with `needs:` dependencies.
        Turborepo remote caching is used in the front-end monorepo so that unchanged packages are not rebuilt.
    """),
        questions=pairs("""
        actions/cache never restores anything | Every run prints "Cache not found for input keys" even though nothing changed. Our key is deps-${{ github.sha }}. What is wrong?
        Job stuck on "Waiting for a runner to pick up this job" | Our new workflow has been waiting for 40 minutes while other repositories build fine. What should I check?
        Docker build reinstalls all dependencies on every commit | Even a one-line code change triggers a full npm install in the Docker build. How do I get layer caching to work?
        How do I deploy to production from GitHub Actions? | I have a green build on main. What triggers the production deploy and who approves it?
        Integration tests fail on pull requests from forks | Pull requests from external contributors fail in the integration job with missing credentials. Is this expected?
        Backend test suite takes 35 minutes in CI | Our backend tests keep getting slower. What options do we have to speed them up?
        Should we pin GitHub Actions by tag or by SHA? | A reviewer asked me to replace actions/checkout@v4 with a long hash. Is that really necessary?
        A test fails randomly about once in ten runs | test_invoice_export fails intermittently in CI but never locally. Can I just add a retry?
        Is there a shared CI workflow for Python services? | I am setting up CI for a new Python service. Is there a template I should call instead of writing everything myself?
        Can a workflow get AWS credentials without stored keys? | I need to push to S3 from a workflow, but we do not keep access keys in GitHub secrets. How then?
    """),
        snippets=[
            (
                "yaml",
                "- uses: actions/cache@v4\n  with:\n    path: ~/.cache/pypoetry\n    key: poetry-${{ runner.os }}-${{ hashFiles('**/poetry.lock') }}\n    restore-keys: |\n      poetry-${{ runner.os }}-",
            ),
            (
                "yaml",
                'jobs:\n  ci:\n    uses: lumen-orchard/ci-templates/.github/workflows/python-service.yml@v3\n    with:\n      python-version: "3.11"\n      runner: linux-large\n    secrets: inherit',
            ),
            (
                "bash",
                "docker buildx build \\\n  --cache-from type=registry,ref=registry.example.com/api:buildcache \\\n  --cache-to type=registry,ref=registry.example.com/api:buildcache,mode=max \\\n  -t registry.example.com/api:${GIT_SHA} --push .",
            ),
        ],
        table=table("""
        Cache | Key | Typical saving
        Poetry dependencies | hash of poetry.lock | 3 minutes
        npm dependencies | hash of package-lock.json | 2 minutes
        Docker layers | registry buildcache | 9 minutes
        Turborepo tasks | task input hash | 5 minutes
    """),
        queries=[
            "github actions cache miss runner",
            "who knows how to make our docker builds in CI faster?",
        ],
        mw_title="CI build cache",
    )
)

TOPICS.append(
    Topic(
        key="terraform",
        name="Terraform & AWS networking",
        folder="terraform-aws-networking",
        tags=["terraform", "amazon-web-services", "vpc", "networking"],
        channel="#infra",
        expert="marcus_oyelaran",
        secondaries=["gabriel_santos", "tomasz_wisniewski"],
        pages=pairs("""
        Terraform workflow with Atlantis | How infrastructure changes go from pull request to applied.
        Terraform state and locking | Where state lives, how locking works and how to recover from a stuck lock.
        VPC layout and subnets | How our VPCs, subnets and NAT gateways are laid out across availability zones.
        Debugging connectivity between services | A methodical way to find out why two things in AWS cannot talk to each other.
        Transit Gateway and VPC peering | How traffic flows between our VPCs and AWS accounts.
        Refactoring Terraform without recreating resources | Import blocks, moved blocks and other safe refactoring tools.
        IP address plan and reserved ranges | Which CIDR ranges belong to which environment.
    """),
        sentences=lines("""
        All AWS infrastructure is managed with Terraform in the infra-live repository, with one directory per account and region.
        Terraform state lives in an S3 bucket with versioning enabled, and a DynamoDB table provides state locking.
        Atlantis posts the output of `terraform plan` as a comment on the pull request, and `atlantis apply` runs after approval.
        Never run `terraform apply` from a laptop against production, because Atlantis is the only principal allowed to change prod.
        A stale lock after a crashed run is removed with `terraform force-unlock <lock-id>`, but only after confirming that nobody else is applying.
        Shared building blocks such as the VPC, the EKS cluster and RDS instances are versioned modules in the terraform-modules repository.
        Each environment has its own VPC with a /16 CIDR from the IP address plan, so ranges never overlap when networks are connected.
        Private subnets in three availability zones host the workloads, while public subnets contain only load balancers and NAT gateways.
        Each availability zone has its own NAT gateway, so losing one zone does not cut outbound traffic in the others.
        Traffic between VPCs goes through the Transit Gateway, and route tables must be updated on both sides for a new attachment.
        S3 and DynamoDB are reached through gateway VPC endpoints, which avoids NAT data processing charges.
        Security groups reference other security groups instead of CIDR ranges wherever possible.
        A connection timeout between two services usually means a missing security group rule or route, while "connection refused" means the port is reachable but nothing listens on it.
        VPC Flow Logs are delivered to S3 and show REJECT records when a security group or network ACL drops traffic.
        The Reachability Analyzer in the VPC console tests the path between two resources without sending any traffic.
        Route 53 private hosted zones resolve internal names such as db.internal.example.com inside the VPCs.
        Drift between the real infrastructure and the state is detected by a nightly `terraform plan -detailed-exitcode` job.
        Resources created by hand in the console must be imported with an import block or `terraform import` before anyone changes them.
        Use `moved` blocks when renaming resources or moving them into modules, so that Terraform does not destroy and recreate them.
        Lifecycle rules with `prevent_destroy` protect databases, state buckets and KMS keys from accidental deletion.
        Provider and module versions are pinned, and upgrades go through a dedicated pull request with a full plan for every workspace.
        Tags for owner, cost centre and environment are set through the provider's `default_tags` block.
        A plan that wants to replace a resource shows `-/+` and marks the attribute that "forces replacement", so read it carefully before approving.
        IAM roles for services are defined next to the service's infrastructure code and follow least privilege.
        Cross-account access uses assume-role with an external ID and never shared IAM users.
        The Elastic IPs of the NAT gateways are allow-listed by several customers, so they must never be replaced.
        The IP address plan is kept on the network registry page, and new VPC ranges must be reserved there first.
        `terraform state mv` and `terraform state rm` are last resorts and must be announced in the infrastructure channel.
        When a service cannot reach a database in another VPC, check the Transit Gateway route tables first, then the database security group, then the flow logs.
    """),
        questions=pairs("""
        Terraform says "Error acquiring the state lock" | My plan fails with ConditionalCheckFailedException and a lock ID from yesterday. Can I just force-unlock it?
        Service in the new VPC can't reach the database | Requests from the reporting service to RDS time out. Both are in private subnets of connected VPCs. Where do I start?
        Plan wants to destroy and recreate our RDS instance | After renaming a module, terraform plan shows -/+ for the production database. How do I avoid that?
        How do I bring a manually created S3 bucket under Terraform? | Someone created a bucket in the console last year. How do I manage it with Terraform without recreating it?
        Which CIDR range should the new sandbox VPC use? | I need a VPC for a new sandbox account. How do I pick a range that won't clash with anything?
        NAT gateway costs are very high this month | Our bill shows a big NAT gateway data processing charge, and most of the traffic goes to S3. How can we reduce it?
        Can I run terraform apply locally for a quick fix? | Atlantis is slow today and I need to change one security group rule in prod. Is a local apply OK?
        Connection refused versus timeout to an internal load balancer | One service gets connection refused and another gets timeouts against the same internal ALB. What is the difference in cause?
        Cross-account access to an S3 bucket | Our data exporter runs in the analytics account and needs to write to a bucket in the production account. How should we set that up?
        Nightly drift check reports changes nobody made | The drift job flags a security group every night. What does that mean and how do we fix it?
    """),
        snippets=[
            (
                "hcl",
                'terraform {\n  backend "s3" {\n    bucket         = "lumen-orchard-tfstate-prod"\n    key            = "network/eu-central-1/terraform.tfstate"\n    region         = "eu-central-1"\n    dynamodb_table = "terraform-locks"\n    encrypt        = true\n  }\n}',
            ),
            (
                "hcl",
                'moved {\n  from = aws_db_instance.main\n  to   = module.orders_db.aws_db_instance.this\n}\n\nresource "aws_db_instance" "this" {\n  # ...\n  lifecycle {\n    prevent_destroy = true\n  }\n}',
            ),
            (
                "bash",
                "aws ec2 describe-security-groups --group-ids sg-0a12b34c56d78e90f\naws logs filter-log-events --log-group-name vpc-flow-logs --filter-pattern REJECT\nterraform plan -detailed-exitcode -out=tfplan",
            ),
        ],
        table=table("""
        Environment | VPC CIDR | Region
        production | 10.20.0.0/16 | eu-central-1
        staging | 10.30.0.0/16 | eu-central-1
        analytics | 10.40.0.0/16 | eu-west-1
        sandbox pool | 10.90.0.0/14 | eu-west-1
    """),
        queries=[
            "terraform state lock vpc subnet",
            "who can help me figure out why my service can't reach the database across VPCs?",
        ],
        mw_title="AWS network overview",
    )
)

TOPICS.append(
    Topic(
        key="ios",
        name="iOS mobile app release",
        folder="ios-release",
        tags=["ios", "app-store", "testflight", "fastlane"],
        channel="#mobile-release",
        expert="sofia_castaneda",
        secondaries=["jaewon_park", "claire_dumont", "lea_novak"],
        pages=pairs("""
        iOS release train | The two-week schedule from branch cut to full rollout in the App Store.
        Code signing with fastlane match | How certificates and profiles are managed and how to fix signing errors.
        TestFlight beta distribution | How builds reach internal and external testers.
        Phased rollout and crash monitoring | How we roll out gradually and when we pause.
        Shipping an iOS hotfix | The steps for an urgent fix outside the regular train.
        Passing App Review | Common rejection reasons and how we avoid them.
        Release captain checklist | Everything the release captain does during a train.
    """),
        sentences=lines("""
        The iOS app is released every two weeks on a release train, with the branch cut on Wednesday and submission to App Review on Friday.
        Release builds are produced by the fastlane `release` lane on CI and are never archived from a developer's Xcode.
        Code signing uses fastlane match, which keeps certificates and provisioning profiles encrypted in a private repository.
        If a build fails with "No profiles for 'com.lumenorchard.app' were found", run `fastlane match appstore --readonly` to fetch the current profile.
        Every release candidate goes to internal testers through TestFlight first and to the external beta group a day later.
        External TestFlight builds need a short Beta App Review the first time a version number is used.
        CI increments the build number automatically from the pipeline run number, while the marketing version is set on the release branch.
        App Store Connect rejects uploads whose build number is not higher than the previous upload for the same version.
        Releases use a seven-day phased rollout, and the rollout is paused if the crash-free session rate drops below 99.5%.
        Crash reports are collected in Crashlytics, and the release lane uploads the dSYM files so that stack traces are symbolicated.
        Missing dSYMs show up as raw memory addresses in Crashlytics, and they can be re-uploaded from the archive with the upload-symbols script.
        New features ship behind remote feature flags so they can be switched off without a new App Store submission.
        The minimum supported iOS version is the current major version minus two, reviewed every September after the new iOS release.
        App Review rejections under guideline 5.1.1 usually concern data collection or account deletion, so the in-app account deletion flow must stay reachable.
        The privacy nutrition labels in App Store Connect must be updated whenever we add an SDK that collects data.
        The privacy manifest PrivacyInfo.xcprivacy must declare required-reason APIs such as UserDefaults and file timestamps.
        Hotfixes are cut from the release tag, get their own patch version and can request an expedited review if users are blocked.
        Release notes are written in the release ticket and translated into the eight supported languages before submission.
        App Store screenshots are generated automatically with fastlane snapshot from the UI tests.
        Push notifications use a token-based APNs key, which does not expire every year the way certificates did.
        UI tests run on the iPhone SE and the latest Pro simulators to catch layout issues on small and large screens.
        Dependencies are managed with Swift Package Manager, and package versions are pinned in Package.resolved.
        Release readiness is decided in the go/no-go meeting on Friday morning with QA, product and the release captain.
        The release captain role rotates among the iOS engineers and owns the train from branch cut to 100% rollout.
        If a critical bug is found during the phased rollout, pause the rollout in App Store Connect before preparing a hotfix.
        The Xcode version on CI is pinned, and moving to a new Xcode happens in a dedicated pull request after the beta period.
        Universal links require the apple-app-site-association file on the web domain to list the app ID and the paths.
        Build uploads use the App Store Connect API key stored in CI, never a personal Apple ID.
    """),
        questions=pairs("""
        Xcode archive fails with "No profiles were found" | CI started failing at the archive step with No profiles for 'com.lumenorchard.app' were found. Nothing changed in our project. What happened?
        App Store Connect rejected the upload because the build number was already used | The upload step says the bundle version must be higher than the previously uploaded version. How is the build number set?
        App rejected under guideline 5.1.1 | App Review rejected version 6.4 citing guideline 5.1.1 and account deletion. What do they want from us?
        Crashlytics shows unsymbolicated stack traces | The crashes from the latest release only show memory addresses. How do we get readable stack traces?
        External beta testers can't see the new build | Internal testers have the build in TestFlight, but the external group doesn't see it. What is missing?
        Critical bug found during the phased rollout | We are on day 3 of the phased rollout and login fails for some users. What are the steps right now?
        When is the next branch cut for the iOS app? | My feature is almost done. When is the cut-off to get it into the next App Store release?
        Do we need to update the privacy manifest for a new analytics SDK? | We are adding an analytics SDK to the iOS app. What needs to change for App Store privacy?
        Can we switch off a broken feature without resubmitting? | A new feature in 6.5 has a bug. Is there a way to disable it for users without a new release?
        Universal links open Safari instead of the app | Links to our web app should open the iOS app but always land in Safari. What should I check?
    """),
        snippets=[
            (
                "ruby",
                'lane :release do\n  match(type: "appstore", readonly: true)\n  increment_build_number(build_number: ENV["CI_PIPELINE_ID"])\n  build_app(scheme: "LumenOrchard", export_method: "app-store")\n  upload_to_testflight(skip_waiting_for_build_processing: true)\n  upload_symbols_to_crashlytics\nend',
            ),
            (
                "bash",
                "bundle exec fastlane match appstore --readonly\nbundle exec fastlane release",
            ),
            (
                "text",
                "Release train 6.6\nWed  branch cut release/6.6\nThu  TestFlight internal, QA regression\nFri  go/no-go, submit for App Review\nMon  phased rollout day 1",
            ),
        ],
        table=table("""
        Rollout day | Share of users | Pause if
        1 | 1% | crash-free sessions below 99.5%
        3 | 5% | login or payment errors
        5 | 20% | spike in support tickets
        7 | 100% | -
    """),
        queries=[
            "testflight fastlane code signing app store",
            "who can tell me how to ship an urgent fix to the App Store?",
        ],
        mw_title="iOS release process",
    )
)

TOPICS.append(
    Topic(
        key="sales",
        name="Customer onboarding & sales demos",
        folder="customer-onboarding",
        tags=["onboarding", "sales", "demo", "customer-success"],
        channel="#sales-engineering",
        expert="daniel_okafor",
        secondaries=["emma_johansson", "ravi_patel"],
        pages=pairs("""
        Running a product demo | How we prepare and deliver demos that match what the prospect needs.
        The demo tenant and its sample data | How the demo environment works and what data it contains.
        Customer onboarding playbook | From signature to go-live: the milestones of onboarding a new customer.
        Discovery calls | The questions to ask a prospect before any demo.
        Proof-of-concept trials | How trials are scoped, run and closed.
        Sales to customer success handover | How accounts move from sales to onboarding and then to customer success.
        Answering security questionnaires | How to handle security and compliance questionnaires from prospects.
    """),
        sentences=lines("""
        Every new customer gets a kickoff call within five working days of signature, led by the onboarding manager with the account executive present.
        The onboarding plan is a shared checklist with milestones for SSO setup, data import, admin training and go-live.
        Demos are run from the demo tenant at demo.lumenorchard.example.com, which is reset every night with fresh sample data.
        Never demo from a customer's tenant or a production account, even with permission, because live data can appear on screen.
        A good discovery call comes before any demo and covers the prospect's current process, their pain points and who makes the decision.
        Tailor the demo to the three pain points from discovery instead of touring every feature.
        The standard demo script takes 30 minutes and follows the story of an operations manager preparing a weekly report.
        Demo environments for large prospects are cloned from the golden template with the prospect's logo and an industry data set.
        Proof-of-concept trials last 30 days, have written success criteria agreed with the customer and end with a review call.
        Solutions engineers join technical evaluations, security questionnaires and integration discussions.
        Security questionnaires are answered from the approved answer library, and new questions go to the security team for review.
        Time to first value is our main onboarding metric, defined as the first scheduled report delivered to a customer user.
        Small customers import data with the CSV importer, while customers with more than a million records use the bulk API.
        SSO with SAML or OIDC is configured during onboarding, and the customer's identity provider admin must attend that session.
        Admin training is a 60-minute session that is recorded for the customer and followed by the admin certification quiz.
        The handover from sales to customer success happens in the CRM by completing the handover form with goals, stakeholders and risks.
        Accounts with no admin login in the first 14 days are flagged as at risk and get a call from the onboarding manager.
        Health scores combine product usage, support tickets and the sentiment from the last business review.
        Quarterly business reviews show the customer their usage, the value delivered and the roadmap items they asked for.
        Pricing questions during demos are answered from the list price sheet, and discounts need approval from the sales director.
        Demo recordings must not be shared externally if they show another customer's name or data.
        If a demo breaks, switch to the backup recording of the same flow rather than debugging live in front of the prospect.
        The sample data in the demo tenant covers three industries: logistics, retail and healthcare clinics.
        Customer feature requests are logged on the product feedback board and linked to the CRM opportunity.
        Reference customers may be offered to prospects only after checking with their account manager.
        Go-live is declared when the customer has SSO working, data imported and at least ten active users.
        Onboarding usually takes four to six weeks for mid-market customers and up to twelve weeks for enterprise customers.
        After go-live the customer moves from the onboarding manager to their customer success manager in a handover call.
    """),
        questions=pairs("""
        The demo tenant still shows last week's data | I have a demo in an hour and the demo tenant still has old data plus my test edits from yesterday. Was the nightly reset skipped?
        Can I demo with the prospect's own data? | A prospect offered to send us a CSV export so the demo looks realistic. Is that allowed?
        How long does onboarding take for an enterprise customer? | A prospect asks how long it will take until they are live. What should I tell them?
        What should a proof-of-concept include? | The prospect wants a trial. What do we need to agree on before we start?
        New customer hasn't logged in two weeks after kickoff | Our new account had the kickoff call but the admin never logged in. What is the process?
        Prospect sent a 200-question security questionnaire | Where do I find approved answers, and who reviews the questions we have no answer for?
        Custom demo environment for a large logistics prospect | For a logistics prospect we want their logo and relevant sample data. How do I get such an environment?
        What goes into the handover to customer success? | I just closed my first deal. What does the handover involve?
        Can I offer a discount during the demo? | The prospect asked for a lower price during the call. How much room do I have?
        The demo froze in front of a prospect | The report builder froze during a live demo. What should I do next time?
    """),
        snippets=[
            (
                "text",
                "Onboarding plan: Acme Logistics (enterprise)\nWeek 1    kickoff call, success criteria agreed\nWeek 2    SSO (SAML) with the customer's IdP admin\nWeek 3-4  bulk data import via API, validation\nWeek 5    admin training + certification quiz\nWeek 6    go-live review, handover to CSM",
            ),
            (
                "text",
                "Demo script (30 min)\n00-05  recap of discovery: three pain points\n05-20  weekly report story in the demo tenant\n20-25  integrations and SSO\n25-30  questions, next steps, proof-of-concept offer",
            ),
            (
                "text",
                "Handover form\nCustomer goals: cut weekly reporting from two days to two hours\nStakeholders: VP Operations (sponsor), IT admin (SSO)\nRisks: data import from a legacy ERP",
            ),
        ],
        table=table("""
        Milestone | Owner | Target
        Kickoff call | onboarding manager | within 5 working days
        SSO configured | solutions engineer | week 2
        Data imported | onboarding manager | week 4
        Go-live | customer success manager | week 6
    """),
        queries=[
            "sales demo tenant new customer onboarding",
            "who can help me prepare a product demo for a prospect?",
        ],
    )
)

TOPICS.append(
    Topic(
        key="observability",
        name="Observability: Prometheus & Grafana alerting",
        folder="observability",
        tags=["prometheus", "grafana", "alerting", "monitoring"],
        channel="#observability",
        expert="soren_odegaard",
        secondaries=["ilker_sahin", "gabriel_santos"],
        pages=pairs("""
        Writing good Prometheus alerts | Our rules for alerts that page people only when it matters.
        SLOs and burn-rate alerting | How we define service level objectives and alert on error budget burn.
        PromQL cheat sheet | Queries we use over and over, and the mistakes to avoid.
        Building Grafana dashboards | How dashboards are provisioned and what every service dashboard shows.
        Alertmanager routing and silences | How alerts reach the right team and how to silence them responsibly.
        Adding metrics to a new service | Exposing metrics and getting them scraped.
        Metric cardinality | Why label choices matter and how to find expensive metrics.
    """),
        sentences=lines("""
        Prometheus scrapes metrics through ServiceMonitor resources, so a service only needs to expose /metrics and add a ServiceMonitor to its chart.
        Long-term metrics are stored in Thanos with 13 months of downsampled retention.
        Alerts are defined as PrometheusRule resources in the service repository and routed by Alertmanager on the `team` label.
        Every paging alert must have a `runbook_url` annotation that points to a runbook saying what to check first.
        Page only on symptoms that users feel, such as error rate or latency SLO burn, and send cause-based alerts to a ticket queue instead.
        SLO alerts use multi-window burn rates: a fast burn over 1 hour and 5 minutes pages, while a slow burn over 6 hours opens a ticket.
        The `for:` clause keeps an alert pending until the condition has held for the given duration, which suppresses flapping.
        High-cardinality labels such as user_id, request_id or full URLs must never be added to metrics, because they explode the number of series.
        Apply `rate()` to counters before aggregating them, as in `sum by (service) (rate(http_requests_total[5m]))`.
        Latency percentiles come from histograms with `histogram_quantile(0.99, sum by (le) (rate(http_request_duration_seconds_bucket[5m])))`.
        Averaging percentiles across instances is mathematically wrong, so aggregate the histogram buckets first and compute the quantile afterwards.
        Grafana dashboards are provisioned from JSON in the dashboards repository, so changes made in the UI are overwritten on the next deploy.
        Each service dashboard starts with the four golden signals: traffic, errors, latency and saturation.
        Silences in Alertmanager must have an end time and a comment with a ticket link, and permanent silences are not allowed.
        Inhibition rules suppress downstream alerts while the cluster-level alert for the same outage is already firing.
        A target shown as DOWN on the Prometheus targets page usually means the scrape fails, while a missing target means the ServiceMonitor selector labels don't match the Service.
        Recording rules precompute expensive queries used by dashboards and alerts, and their names follow the level:metric:operations pattern.
        Logs are shipped to Loki, and Grafana links from a latency spike to the logs of the same pod and time range.
        Traces are collected with OpenTelemetry and stored in Tempo, and exemplars link histogram buckets to example traces.
        Alert fatigue is reviewed monthly, and alerts that fired without any action in the last month are tuned or deleted.
        The `absent()` function alerts when a metric disappears entirely, for example when a batch job stops reporting.
        The blackbox exporter probes our public endpoints from three regions and alerts when two of them fail.
        Alertmanager groups alerts by alertname and cluster so that one outage produces one notification, not fifty.
        The `increase()` function extrapolates at the edges of the range, so small integer counters can show fractional values.
        Because of staleness handling, a series disappears from query results five minutes after its last sample.
        Grafana alerting is only used for business metrics from SQL data sources, while infrastructure alerts live in Prometheus.
        Every new service gets an SLO document with availability and latency objectives before it goes to production.
        Run `promtool check rules` in CI to validate alert rule syntax before merging.
        Noisy alerts that page at night and never lead to action are the first candidates for deletion in the monthly alert review.
    """),
        questions=pairs("""
        My service's target shows as DOWN in Prometheus | I added a ServiceMonitor but the target is DOWN, and for another service it is not listed at all. What am I missing?
        How do I compute p99 latency across all pods? | I averaged histogram_quantile results across instances and the numbers look odd. What is the correct query?
        We get paged every night for a CPU alert nobody acts on | The HighCPU alert pages the on-call almost every night and we always ignore it. What should we do?
        My Grafana dashboard edits disappeared | I fixed several panels in the Grafana UI and the next day they were back to the old version. Why?
        Prometheus memory jumped after our release | Prometheus memory went up by 4 GB after we deployed a new version of our service. Could our metrics be the cause?
        How do I silence alerts during planned maintenance? | We will migrate the database on Saturday. How do we stop alerts from paging during the window?
        Alert for a cron job that silently stopped | Our nightly export job stopped running last week and nobody noticed. How can we alert on that?
        Which burn-rate thresholds should our SLO alerts use? | We have a 99.9% availability SLO. Which burn-rate windows should page?
        Why does increase() show 2.5 requests? | A panel using increase over 1h shows non-integer values for a counter. Is the metric broken?
        Jumping from a latency spike to logs and traces | I see a latency spike on the dashboard. Is there a quick way to get to the matching logs and example traces?
    """),
        snippets=[
            (
                "yaml",
                '- alert: CheckoutHighErrorBudgetBurn\n  expr: |\n    sum(rate(http_requests_total{service="checkout",code=~"5.."}[1h]))\n      / sum(rate(http_requests_total{service="checkout"}[1h])) > (14.4 * 0.001)\n  for: 2m\n  labels: {severity: page, team: payments}\n  annotations:\n    runbook_url: https://wiki.example.com/observability/checkout-errors',
            ),
            (
                "promql",
                'histogram_quantile(0.99,\n  sum by (le) (rate(http_request_duration_seconds_bucket{service="search-api"}[5m])))',
            ),
            (
                "bash",
                'promtool check rules alerts/checkout.rules.yml\namtool silence add alertname=PostgresReplicationLag cluster=prod-eu \\\n  --duration=4h --comment="DB migration OPS-1234"',
            ),
        ],
        table=table("""
        Long window | Short window | Burn rate | Action
        1h | 5m | 14.4 | page
        6h | 30m | 6 | page
        3d | 6h | 1 | ticket
    """),
        queries=[
            "prometheus alerting rule grafana dashboard promql",
            "who can help me reduce noisy alerts that page us at night?",
        ],
        extra_html_page=(
            "Alert runbook template",
            "Every paging alert links to a runbook, and every runbook starts from this template.",
        ),
        mw_title="Alerting conventions",
    )
)

TOPICS.append(
    Topic(
        key="hiring",
        name="Recruiting & technical interviews",
        folder="hiring-and-interviews",
        tags=["hiring", "interviews", "recruiting"],
        channel="#hiring",
        expert="harriet_clarke",
        secondaries=["nadia_petrova", "oliver_grant"],
        pages=pairs("""
        Opening a new role | From headcount approval to a published job ad.
        Our interview loop for engineers | The stages of the engineering interview process.
        Writing interview feedback | How to write useful and fair scorecard feedback.
        Interviewer training and shadowing | What you need before interviewing on your own.
        Making an offer | Salary bands, approvals and how offers are communicated.
        Employee referrals | How to refer someone and when the referral bonus is paid.
        Fair and legal interviewing | The questions you must not ask and the adjustments we offer.
    """),
        sentences=lines("""
        Every open role starts with an intake meeting where the hiring manager and the recruiter agree on the scorecard, the level and the interview loop.
        Job requisitions must be approved in Workday by the department head and Finance before the role is posted.
        Candidates are tracked in Greenhouse, and all interview feedback must be submitted there within 24 hours.
        The standard engineering loop has a recruiter screen, a technical screen, a take-home or pairing exercise and a final loop.
        Interviewers must complete the structured interviewing training before joining any loop.
        Each interviewer assesses specific competencies from the scorecard rather than forming a general impression.
        Write your feedback before reading other interviewers' notes, to avoid anchoring on someone else's opinion.
        The debrief is held within two working days of the final interview, and the hiring manager makes the decision.
        Take-home exercises are limited to three hours, and candidates may choose a live pairing session instead.
        Questions about age, family plans, religion, nationality or health are never allowed in interviews.
        Reasonable adjustments such as extra time or live captions are offered to every candidate in the invitation email.
        Referral bonuses are paid once the referred hire completes their probation period.
        Referrals are submitted through the referral form in Greenhouse, not by forwarding a CV by email.
        Offers are prepared by the recruiter from the salary band for the level and location, and exceptions need approval from the VP.
        The hiring manager makes the verbal offer, and the recruiter follows with the written offer within one working day.
        Candidate data in Greenhouse is deleted 12 months after the process ends unless the candidate agrees to stay in the talent pool.
        Rejection emails are sent within five working days of the decision, and candidates who reached the final loop get a phone call.
        Interview slots are booked with the Greenhouse scheduling tool, which reads the interviewers' calendars.
        You must shadow two interviews and be reverse-shadowed once before you interview on your own.
        Calibration sessions run every quarter so that interviewers apply the same bar across teams.
        Internal transfers go through the same scorecard but skip the recruiter screen.
        Contractors and agency candidates are handled by the recruiter together with procurement.
        Job ads are reviewed with the inclusive language checker before they are published.
        Background checks start only after the candidate has accepted the offer.
        Start dates are set on Mondays so that new joiners can attend the company onboarding session.
        Hiring managers get a weekly pipeline report that shows candidates per stage and time in stage.
        The take-home exercise repository is private, and solutions are never shared with candidates.
        Candidates can ask for feedback after a rejection, and the recruiter shares a short summary based on the scorecard.
        It is fine to ask about notice period and right to work, but the question must be asked of every candidate in the same way.
    """),
        questions=pairs("""
        How do I refer a former colleague for the backend role? | A former colleague would be great for the senior backend opening. What is the right way to refer them?
        When is the referral bonus paid? | Someone I referred started last month. When do I receive the referral bonus?
        I've been asked to interview but have never done it here | I was invited to a final loop next week. Do I need any training first?
        Candidate asked for extra time on the coding exercise | A candidate mentioned dyslexia and asked for more time on the take-home. What can we offer?
        How fast do I need to submit interview feedback? | I had three interviews today. Is there a deadline for the scorecards?
        Can I offer above the salary band? | Our top candidate has a competing offer above the top of the band. What are my options?
        How do I start hiring a new data engineer? | My team has budget for one more data engineer. What are the first steps?
        Can I ask a candidate about their notice period and visa situation? | What may I ask about availability and right to work without crossing a line?
        Candidate wants feedback after rejection | A candidate we turned down after the final loop asked for feedback. What can we share?
        How long do we keep candidate CVs? | A rejected candidate asked us to keep their CV for future roles. What is our policy?
    """),
        snippets=[
            (
                "text",
                "Engineering loop (senior backend)\n1. Recruiter screen       30 min    motivation, logistics\n2. Technical screen       60 min    problem solving, code quality\n3. Pairing or take-home   up to 3h  design in practice\n4. Final loop             3 x 60    architecture, collaboration, values",
            ),
            (
                "text",
                "Scorecard feedback\nCompetency: system design\nEvidence: proposed a queue to decouple ingestion, discussed back-pressure\nRating: strong yes / yes / no / strong no",
            ),
            (
                "text",
                "Offer approval\nLevel: Senior Engineer II   Location: Lisbon   Band: P3\nBase within band  -> recruiter + hiring manager\nBase above band   -> VP approval required",
            ),
        ],
        table=table("""
        Step | Owner | Deadline
        Interview feedback | interviewer | 24 hours
        Debrief | hiring manager | 2 working days
        Rejection email | recruiter | 5 working days
        Written offer | recruiter | 1 working day after the verbal offer
    """),
        queries=[
            "interview scorecard feedback referral bonus",
            "who do I ask about opening a new headcount and running interviews?",
        ],
    )
)


# ---------------------------------------------------------------------------
# People
# ---------------------------------------------------------------------------


@dataclass
class Person:
    id: str
    name: str
    role: str
    team: str
    location: str
    email: str
    github: str | None
    skills: list[str]
    description: str
    active: bool = True
    qa_user: bool = False
    topics: list[str] = field(default_factory=list)


def P(
    pid, name, role, team, location, github, skills, description, active=True, qa=False, email=None
):
    local = email or pid.replace("_", ".")
    return Person(
        pid,
        name,
        role,
        team,
        location,
        f"{local}@example.com",
        github,
        skills,
        " ".join(description.split()),
        active,
        qa,
    )


PEOPLE: list[Person] = [
    # --- topic experts -----------------------------------------------------
    P(
        "ana_kovac",
        "Ana Kovač",
        "Staff Site Reliability Engineer",
        "Platform",
        "Ljubljana, Slovenia",
        "anakovac",
        ["kubernetes", "helm", "argo rollouts", "cluster autoscaling", "kubectl debugging"],
        """Ana runs the Kubernetes clusters that every backend service is deployed to and maintains the shared
      Helm chart. She designed our rolling update and canary setup with Argo Rollouts and is the person to ask
      when a release is stuck or pods keep crashing. Before joining she operated large Kubernetes platforms
      for a telecom operator.""",
        qa=True,
    ),
    P(
        "rahul_menon",
        "Rahul Menon",
        "Principal Database Engineer",
        "Data Platform",
        "Bengaluru, India",
        "rmenon-db",
        ["postgresql", "query tuning", "indexing", "explain analyze", "pgbouncer", "autovacuum"],
        """Rahul looks after the PostgreSQL clusters behind the product and spends much of his time reading
      query plans. He tuned autovacuum for our busiest tables, introduced regular pg_stat_statements reviews
      and wrote our guidelines for indexing and safe migrations. Bring him any slow query together with its
      EXPLAIN ANALYZE output.""",
        qa=True,
    ),
    P(
        "greta_vogel",
        "Greta Vogel",
        "Payroll & Expenses Manager",
        "Finance",
        "Hamburg, Germany",
        None,
        ["payroll", "expense claims", "reimbursements", "per diems", "vat receipts"],
        """Greta manages payroll and employee expenses for all of our entities. She owns the payroll calendar,
      the expense policy and the Spendwise setup, and she answers most questions about reimbursements,
      per diems, corporate cards and payslips. She previously worked as a payroll accountant at a tax
      advisory firm.""",
        qa=True,
    ),
    P(
        "aoife_ni_bhriain",
        "Aoife Ní Bhriain",
        "Data Protection Officer",
        "Legal & Compliance",
        "Dublin, Ireland",
        "aoife-nb",
        ["gdpr", "data retention", "dpia", "data subject requests", "privacy by design"],
        """Aoife is our Data Protection Officer. She maintains the record of processing activities and the
      retention schedule, runs DPIAs and coordinates data subject requests and breach notifications under
      the GDPR. Engineers come to her before they store new kinds of personal data or bring in a new
      vendor.""",
        qa=True,
        email="aoife.nibhriain",
    ),
    P(
        "zoe_lefevre",
        "Zoë Lefèvre",
        "Senior Front-end Engineer",
        "Web",
        "Lyon, France",
        "zoelefevre",
        ["react", "typescript", "accessibility", "wcag", "aria", "playwright"],
        """Zoë leads front-end architecture for the React web app and drives our accessibility work. She built
      the accessible components of the design system, added axe checks to the Playwright suite and tests
      every major release with NVDA and VoiceOver. She holds the IAAP web accessibility specialist
      certification.""",
        qa=True,
    ),
    P(
        "kenji_watanabe",
        "Kenji Watanabe",
        "Senior Machine Learning Engineer",
        "Machine Learning",
        "Tokyo, Japan",
        "kwatanabe-ml",
        ["machine learning", "pytorch", "model evaluation", "mlflow", "hyperparameter tuning"],
        """Kenji builds and evaluates the machine-learning models behind ticket routing, lead scoring and search
      ranking. He set up MLflow experiment tracking, the shared training template and the promotion checks a
      model must pass before it replaces the production champion. He cares a lot about honest evaluation and
      leakage-free data splits.""",
        qa=True,
    ),
    P(
        "fatima_haddad",
        "Fatima Haddad",
        "Security Engineering Lead",
        "Security",
        "Amsterdam, Netherlands",
        "fhaddad",
        ["incident response", "security on-call", "digital forensics", "siem", "threat detection"],
        """Fatima leads security engineering and coordinates incident response. She wrote the incident runbook
      and the severity levels, runs the security on-call rotation and facilitates post-incident reviews and
      quarterly tabletop exercises. If you think something was compromised, she wants to hear about it
      immediately.""",
        qa=True,
    ),
    P(
        "lukasz_wojcik",
        "Łukasz Wójcik",
        "Build & Release Engineer",
        "Developer Productivity",
        "Kraków, Poland",
        "lukaszw",
        ["github actions", "ci/cd", "build caching", "docker buildkit", "self-hosted runners"],
        """Łukasz owns our CI/CD platform on GitHub Actions. He maintains the reusable workflows in
      ci-templates, the self-hosted runner fleet and the build caching setup that halved our median pipeline
      time. He also built the release pipeline that signs and promotes container images.""",
        qa=True,
    ),
    P(
        "marcus_oyelaran",
        "Marcus Oyelaran",
        "Senior Cloud Infrastructure Engineer",
        "Cloud Infrastructure",
        "Lisbon, Portugal",
        "moyelaran",
        ["terraform", "aws", "vpc networking", "transit gateway", "atlantis"],
        """Marcus designs and operates our AWS network and the Terraform code that describes it. He built the
      VPC layout, the Transit Gateway setup and the Atlantis workflow for infrastructure changes, and he keeps
      the IP address plan. He is usually the first to spot a missing route or security group rule.""",
        qa=True,
    ),
    P(
        "sofia_castaneda",
        "Sofía Castañeda",
        "iOS Lead",
        "Mobile",
        "Bogotá, Colombia",
        "sofiacastaneda",
        ["ios", "swift", "app store release", "testflight", "fastlane", "xcode"],
        """Sofía leads iOS development and owns the App Store release train. She set up fastlane match for code
      signing, the TestFlight distribution groups and the phased rollout process, and she mentors the rotating
      release captains. She has shipped iOS apps since the days of iOS 7.""",
        qa=True,
    ),
    P(
        "daniel_okafor",
        "Daniel Okafor",
        "Head of Solutions Engineering",
        "Sales",
        "London, United Kingdom",
        None,
        [
            "sales demos",
            "customer onboarding",
            "proof of concept",
            "discovery calls",
            "solutions engineering",
        ],
        """Daniel heads solutions engineering and customer onboarding. He wrote the demo script, built the demo
      tenant with its sample data and designed the onboarding playbook that takes new customers from kickoff
      to go-live. Account executives book him for discovery calls, demos and proof-of-concept trials.""",
        qa=True,
    ),
    P(
        "soren_odegaard",
        "Søren Ødegaard",
        "Observability Engineer",
        "Site Reliability",
        "Aarhus, Denmark",
        "sorenodegaard",
        ["prometheus", "grafana", "alertmanager", "promql", "slo alerting"],
        """Søren runs our observability stack: Prometheus, Thanos, Alertmanager, Grafana, Loki and Tempo. He
      introduced SLOs with burn-rate alerting and leads the monthly alert review that keeps pages meaningful.
      He is happy to pair on PromQL or on taming a noisy alert.""",
        qa=True,
    ),
    P(
        "harriet_clarke",
        "Harriet Clarke",
        "Talent Acquisition Lead",
        "People",
        "Manchester, United Kingdom",
        None,
        ["recruiting", "structured interviews", "greenhouse", "offers", "referrals"],
        """Harriet leads talent acquisition and designed our structured interview process. She runs interviewer
      training, owns the Greenhouse setup and works with hiring managers on scorecards, offers and referrals.
      She also coaches new interviewers on fair and legal interviewing.""",
        qa=True,
    ),
    # --- secondary contributors ---------------------------------------------
    P(
        "tomasz_wisniewski",
        "Tomasz Wiśniewski",
        "Platform Engineer",
        "Platform",
        "Warsaw, Poland",
        "tomasz-w",
        ["go", "developer tooling", "kubernetes"],
        """Tomasz works on the Platform team, mostly on internal developer tooling and service templates. He
      helps with cluster upgrades and now and then with infrastructure changes for the clusters.""",
        qa=True,
    ),
    P(
        "mei_lin",
        "Mei Lin",
        "Backend Engineer",
        "Payments",
        "Singapore",
        "meilin-dev",
        ["go", "python", "payments"],
        """Mei builds payment processing services in Go and Python. She maintains the deployment settings and
      build workflows of the payments services.""",
        qa=True,
    ),
    P(
        "jose_munoz",
        "José Muñoz",
        "Senior Backend Engineer",
        "Payments",
        "Valencia, Spain",
        "jmunoz",
        ["python", "django", "sql"],
        """José is a backend engineer on the Payments team who works on invoicing and the ledger. He has
      optimised a few of the heavier ledger queries.""",
        qa=True,
    ),
    P(
        "ingrid_berg",
        "Ingrid Berg",
        "Data Engineer",
        "Data Platform",
        "Stockholm, Sweden",
        "ingridberg",
        ["airflow", "dbt", "sql", "data pipelines"],
        """Ingrid builds the data pipelines that feed analytics and the feature store. She works with Airflow
      and dbt and prepares datasets for the data science team.""",
        qa=True,
    ),
    P(
        "chiara_bianchi",
        "Chiara Bianchi",
        "Financial Analyst",
        "Finance",
        "Milan, Italy",
        "chiarab",
        ["budgeting", "financial reporting", "month-end close"],
        """Chiara is a financial analyst who handles budgeting and the month-end close. She approves budget
      exceptions for her cost centres.""",
        qa=True,
    ),
    P(
        "oliver_grant",
        "Oliver Grant",
        "Workplace Manager",
        "Operations",
        "London, United Kingdom",
        None,
        ["workplace", "travel desk", "facilities"],
        """Oliver manages the London office and workplace services. He runs the travel desk, orders office
      equipment and organises on-site days.""",
        qa=True,
    ),
    P(
        "renee_dubois",
        "Renée Dubois",
        "Legal Counsel",
        "Legal & Compliance",
        "Paris, France",
        "rdubois-legal",
        ["commercial contracts", "negotiation", "vendor agreements"],
        """Renée is legal counsel for commercial contracts. She negotiates customer agreements and vendor
      contracts.""",
        qa=True,
    ),
    P(
        "hannah_schmidt",
        "Hannah Schmidt",
        "Product Manager",
        "Product",
        "Berlin, Germany",
        "hschmidt-pm",
        ["product management", "analytics features", "roadmapping"],
        """Hannah is the product manager for the analytics features. She works with Legal on the requirements
      for new features that handle customer data.""",
        qa=True,
    ),
    P(
        "mateo_rossi",
        "Mateo Rossi",
        "Front-end Engineer",
        "Web",
        "Turin, Italy",
        "mateorossi",
        ["typescript", "vite", "css"],
        """Mateo is a front-end engineer working on the report builder UI. He maintains the front-end build
      tooling.""",
        qa=True,
    ),
    P(
        "lea_novak",
        "Lea Novak",
        "Product Designer",
        "Design",
        "Zagreb, Croatia",
        "leanovak",
        ["figma", "design systems", "ux research"],
        """Lea is a product designer for the web and mobile apps. She owns the design tokens and the colour
      palette.""",
        qa=True,
    ),
    P(
        "ayesha_siddiqui",
        "Ayesha Siddiqui",
        "Data Scientist",
        "Machine Learning",
        "Karachi, Pakistan",
        "ayeshas",
        ["python", "statistics", "scikit-learn", "experimentation"],
        """Ayesha is a data scientist who works on churn and lead-scoring analyses. She prototypes ideas in
      notebooks and runs product experiments.""",
        qa=True,
    ),
    P(
        "bjorn_hakansson",
        "Björn Håkansson",
        "Security Analyst",
        "Security",
        "Gothenburg, Sweden",
        "bhakansson",
        ["siem", "edr", "phishing analysis"],
        """Björn is a security analyst who triages detections from the SIEM and the EDR. He takes part in the
      security rotation.""",
        qa=True,
    ),
    P(
        "gabriel_santos",
        "Gabriel Santos",
        "Network Engineer",
        "Cloud Infrastructure",
        "Porto, Portugal",
        "gsantos-net",
        ["networking", "dns", "vpn", "load balancers"],
        """Gabriel is a network engineer on the Cloud Infrastructure team. He works on VPN, DNS and load
      balancers and keeps an eye on the network dashboards.""",
        qa=True,
    ),
    P(
        "jaewon_park",
        "Jae-won Park",
        "iOS Engineer",
        "Mobile",
        "Seoul, South Korea",
        "jaewonpark",
        ["swift", "swiftui", "ios"],
        """Jae-won is an iOS engineer on the Mobile team who builds the offline reports feature in SwiftUI. He
      has been release captain a couple of times.""",
        qa=True,
        email="jaewon.park",
    ),
    P(
        "emma_johansson",
        "Emma Johansson",
        "Account Executive",
        "Sales",
        "Malmö, Sweden",
        None,
        ["sales", "negotiation", "crm"],
        """Emma is an account executive for Nordic mid-market customers. She runs discovery with prospects and
      works closely with the solutions engineers.""",
        qa=True,
    ),
    P(
        "ravi_patel",
        "Ravi Patel",
        "Customer Success Manager",
        "Customer Success",
        "Pune, India",
        "ravipatel-cs",
        ["customer success", "account management", "business reviews"],
        """Ravi is a customer success manager for enterprise accounts. He takes accounts over after go-live and
      runs quarterly business reviews.""",
        qa=True,
    ),
    P(
        "ilker_sahin",
        "İlker Şahin",
        "Site Reliability Engineer",
        "Site Reliability",
        "Istanbul, Türkiye",
        "ilkersahin",
        ["sre", "linux", "capacity planning"],
        """İlker is a site reliability engineer who shares the infrastructure on-call. He works on capacity
      planning and maintains several service dashboards.""",
        qa=True,
    ),
    P(
        "nadia_petrova",
        "Nadia Petrova",
        "People Partner",
        "People",
        "Sofia, Bulgaria",
        None,
        ["hr", "employee relations", "workforce planning"],
        """Nadia is the people partner for the engineering organisation. She supports managers with
      performance reviews, workforce plans and employee questions.""",
        qa=True,
    ),
    # --- people who left (never experts) ------------------------------------
    P(
        "viktor_horvath",
        "Viktor Horváth",
        "Database Administrator",
        "Data Platform",
        "Budapest, Hungary",
        "vhorvath",
        ["postgresql", "replication", "backups"],
        """Viktor was our first database administrator and set up the original PostgreSQL replication and
      backups. He left the company in 2024.""",
        active=False,
        qa=True,
    ),
    P(
        "claire_dumont",
        "Claire Dumont",
        "iOS Engineer",
        "Mobile",
        "Brussels, Belgium",
        "clairedumont",
        ["ios", "objective-c", "swift"],
        """Claire was an iOS engineer who built the first versions of push notifications and in-app purchases in
      the app. She left the company in 2024.""",
        active=False,
    ),
    # --- generalists -----------------------------------------------------------
    P(
        "amara_nwosu",
        "Amara Nwosu",
        "VP Engineering",
        "Leadership",
        "London, United Kingdom",
        "amaranwosu",
        ["engineering leadership", "architecture reviews", "team health"],
        """Amara leads the engineering organisation. She cares about team health, architecture reviews and
      growing engineers into leaders.""",
    ),
    P(
        "lucas_meyer",
        "Lucas Meyer",
        "Engineering Manager",
        "Payments",
        "Zurich, Switzerland",
        "lmeyer",
        ["engineering management", "delivery planning"],
        """Lucas manages the Payments engineering team. He focuses on delivery planning and cross-team
      dependencies.""",
        qa=True,
    ),
    P(
        "sakura_ito",
        "Sakura Itō",
        "QA Engineer",
        "Quality",
        "Osaka, Japan",
        "sakura-ito",
        ["test automation", "exploratory testing", "regression testing"],
        """Sakura is a QA engineer who owns regression testing for web and mobile releases. She writes
      end-to-end tests and runs exploratory testing sessions.""",
        qa=True,
    ),
    P(
        "pieter_de_vries",
        "Pieter de Vries",
        "Backend Engineer",
        "Search",
        "Utrecht, Netherlands",
        "pdevries",
        ["java", "kotlin", "elasticsearch"],
        """Pieter works on the search backend, including the indexing service and the query API, mostly in Java
      and Kotlin.""",
        qa=True,
        email="pieter.devries",
    ),
    P(
        "elena_garcia",
        "Elena García",
        "Product Manager",
        "Product",
        "Madrid, Spain",
        "egarcia-pm",
        ["product management", "user research"],
        """Elena is the product manager for the report builder and scheduling features. She spends a lot of time
      with customers in user interviews.""",
    ),
    P(
        "noah_williams",
        "Noah Williams",
        "Support Engineer",
        "Customer Success",
        "Dublin, Ireland",
        "noahw-support",
        ["customer support", "troubleshooting", "help centre"],
        """Noah is a support engineer who handles escalated customer tickets and writes help-centre
      articles.""",
        qa=True,
    ),
    P(
        "thabo_mokoena",
        "Thabo Mokoena",
        "Full-stack Engineer",
        "Growth",
        "Cape Town, South Africa",
        "thabom",
        ["node.js", "react", "a/b testing"],
        """Thabo is a full-stack engineer on the Growth team working on the sign-up flow and the billing
      pages.""",
        qa=True,
    ),
    P(
        "julia_kowalczyk",
        "Julia Kowalczyk",
        "Technical Writer",
        "Developer Productivity",
        "Gdańsk, Poland",
        "jkowalczyk",
        ["technical writing", "docs as code", "api documentation"],
        """Julia is a technical writer who maintains the developer portal and the public API documentation.""",
    ),
    P(
        "ahmed_elsayed",
        "Ahmed El-Sayed",
        "Backend Engineer",
        "Search",
        "Cairo, Egypt",
        "aelsayed",
        ["python", "elasticsearch", "api design"],
        """Ahmed is a backend engineer on the Search team who works on ranking features and the public query
      API.""",
        email="ahmed.elsayed",
    ),
    P(
        "francesca_romano",
        "Francesca Romano",
        "Engineering Manager",
        "Web",
        "Rome, Italy",
        "fromano",
        ["engineering management", "roadmapping"],
        """Francesca manages the Web team and coordinates the web roadmap with product and design.""",
    ),
    P(
        "liam_oconnor",
        "Liam O'Connor",
        "Data Analyst",
        "Data Platform",
        "Cork, Ireland",
        "liamoc",
        ["sql", "looker", "kpi reporting"],
        """Liam is a data analyst who builds the company KPI dashboards and answers ad-hoc business
      questions.""",
        email="liam.oconnor",
    ),
    P(
        "marta_silva",
        "Marta Silva",
        "Business Operations Manager",
        "Operations",
        "Lisbon, Portugal",
        None,
        ["business operations", "vendor management", "process design"],
        """Marta runs business operations, including vendor management and internal processes.""",
    ),
    P(
        "yuki_tanaka",
        "Yuki Tanaka",
        "Android Engineer",
        "Mobile",
        "Tokyo, Japan",
        "yukitanaka",
        ["android", "kotlin", "jetpack compose"],
        """Yuki builds the Android app in Kotlin and Jetpack Compose. She also helps with mobile QA.""",
    ),
    P(
        "grace_mensah",
        "Grace Mensah",
        "Chief of Staff",
        "Leadership",
        "Accra, Ghana",
        None,
        ["planning", "internal communication"],
        """Grace is chief of staff to the CEO and runs company planning and the all-hands meetings.""",
    ),
]
PEOPLE_BY_ID = {p.id: p for p in PEOPLE}

# People only known to the Q&A site (not in people.yml).
QA_ONLY_USERS = [
    ("Jordan Blake", "Remote", "<p>Contractor helping with integrations.</p>"),
    ("Kofi Asante", "Accra, Ghana", "<p>Partner engineer at an implementation agency.</p>"),
]


# ---------------------------------------------------------------------------
# Helpers
# ---------------------------------------------------------------------------

STOPWORDS = set(
    [
        "a",
        "an",
        "and",
        "are",
        "as",
        "at",
        "be",
        "been",
        "before",
        "but",
        "by",
        "can",
        "do",
        "does",
        "for",
        "from",
        "get",
        "got",
        "has",
        "have",
        "how",
        "i",
        "if",
        "in",
        "into",
        "is",
        "it",
        "its",
        "my",
        "no",
        "not",
        "of",
        "on",
        "or",
        "our",
        "so",
        "than",
        "that",
        "the",
        "their",
        "them",
        "then",
        "there",
        "these",
        "they",
        "this",
        "to",
        "up",
        "us",
        "was",
        "we",
        "what",
        "when",
        "where",
        "which",
        "who",
        "why",
        "will",
        "with",
        "without",
        "you",
        "your",
        "any",
        "all",
        "also",
        "after",
        "only",
        "should",
        "would",
        "could",
        "just",
        "one",
        "new",
    ]
)


def tokens(text: str) -> set[str]:
    out = set()
    for word in re.findall(r"[a-z0-9][a-z0-9_@./-]*", text.lower()):
        word = word.strip("./-")
        if len(word) < 3 or word in STOPWORDS:
            continue
        out.add(word[:-1] if word.endswith("s") and len(word) > 4 else word)
    return out


def ranked(pool: list[str], query: str, rng: random.Random) -> list[str]:
    """The pool ordered by IDF-weighted word overlap with ``query`` (ties broken randomly)."""
    q = tokens(query)
    pool_tokens = [tokens(s) for s in pool]
    df: dict[str, int] = {}
    for toks in pool_tokens:
        for word in toks:
            df[word] = df.get(word, 0) + 1
    n = len(pool)
    scored = [
        (-sum(math.log((n + 1) / df[w]) for w in q & toks), rng.random(), s)
        for s, toks in zip(pool, pool_tokens, strict=True)
    ]
    return [s for _, _, s in sorted(scored)]


def pick_sentences(
    pool: list[str], query: str, rng: random.Random, relevant: int, extra: int
) -> list[str]:
    order = ranked(pool, query, rng)
    chosen = order[:relevant]
    rest = order[relevant:]
    chosen += rng.sample(rest, min(extra, len(rest)))
    return chosen


def slugify(title: str) -> str:
    return re.sub(r"[^a-z0-9]+", "-", title.lower()).strip("-")


def rand_dt(rng: random.Random, start: datetime, end: datetime) -> datetime:
    span = int((end - start).total_seconds())
    moment = start + timedelta(seconds=rng.randint(0, span))
    # Office hours make the data look less synthetic.
    return moment.replace(
        hour=rng.randint(7, 18),
        minute=rng.randint(0, 59),
        second=rng.randint(0, 59),
        microsecond=rng.randint(0, 999) * 1000,
    )


def se_time(moment: datetime) -> str:
    return moment.strftime("%Y-%m-%dT%H:%M:%S.") + f"{moment.microsecond // 1000:03d}"


INLINE_CODE = re.compile(r"`([^`]+)`")
MD_LINK = re.compile(r"\[([^\]]+)\]\(([^)]+)\)")


def inline_html(text: str) -> str:
    """Markdown-ish inline text (backticks, [label](url)) to HTML."""
    parts = []
    pos = 0
    pattern = re.compile(r"`([^`]+)`|\[([^\]]+)\]\(([^)]+)\)")
    for match in pattern.finditer(text):
        parts.append(html.escape(text[pos : match.start()], quote=False))
        if match.group(1) is not None:
            parts.append(f"<code>{html.escape(match.group(1), quote=False)}</code>")
        else:
            parts.append(
                f'<a href="{html.escape(match.group(3))}">{html.escape(match.group(2), quote=False)}</a>'
            )
        pos = match.end()
    parts.append(html.escape(text[pos:], quote=False))
    return "".join(parts)


def inline_wikitext(text: str) -> str:
    text = INLINE_CODE.sub(
        lambda m: f"<code>{m.group(1).replace('<', '&lt;').replace('>', '&gt;')}</code>", text
    )
    return MD_LINK.sub(lambda m: f"[{m.group(2)} {m.group(1)}]", text)


# Blocks: ("h2", text) ("p", text) ("ul", [items]) ("ol", [items]) ("code", lang, code) ("table", rows)


def render_markdown(title: str, blocks: list[tuple]) -> str:
    out = [f"# {title}", ""]
    for block in blocks:
        kind = block[0]
        if kind == "h2":
            out += [f"## {block[1]}", ""]
        elif kind == "p":
            out += [block[1], ""]
        elif kind == "ul":
            out += [f"- {item}" for item in block[1]] + [""]
        elif kind == "ol":
            out += [f"{n}. {item}" for n, item in enumerate(block[1], 1)] + [""]
        elif kind == "code":
            out += [f"```{block[1]}", block[2], "```", ""]
        elif kind == "table":
            rows = block[1]
            out.append("| " + " | ".join(rows[0]) + " |")
            out.append("|" + "|".join("---" for _ in rows[0]) + "|")
            out += ["| " + " | ".join(row) + " |" for row in rows[1:]]
            out.append("")
    return "\n".join(out).rstrip() + "\n"


def render_html_blocks(blocks: list[tuple]) -> str:
    out = []
    for block in blocks:
        kind = block[0]
        if kind == "h2":
            out.append(f"<h2>{inline_html(block[1])}</h2>")
        elif kind == "p":
            out.append(f"<p>{inline_html(block[1])}</p>")
        elif kind in ("ul", "ol"):
            items = "".join(f"<li>{inline_html(item)}</li>" for item in block[1])
            out.append(f"<{kind}>{items}</{kind}>")
        elif kind == "code":
            out.append(
                f'<pre><code class="language-{block[1]}">{html.escape(block[2], quote=False)}</code></pre>'
            )
        elif kind == "table":
            rows = block[1]
            head = "".join(f"<th>{html.escape(c, quote=False)}</th>" for c in rows[0])
            body = "".join(
                "<tr>" + "".join(f"<td>{html.escape(c, quote=False)}</td>" for c in row) + "</tr>"
                for row in rows[1:]
            )
            out.append(f"<table><thead><tr>{head}</tr></thead><tbody>{body}</tbody></table>")
    return "\n".join(out)


def render_wikitext(blocks: list[tuple]) -> str:
    out = []
    for block in blocks:
        kind = block[0]
        if kind == "h2":
            out += [f"== {block[1]} ==", ""]
        elif kind == "p":
            out += [inline_wikitext(block[1]), ""]
        elif kind == "ul":
            out += [f"* {inline_wikitext(item)}" for item in block[1]] + [""]
        elif kind == "ol":
            out += [f"# {inline_wikitext(item)}" for item in block[1]] + [""]
        elif kind == "code":
            out += [f'<syntaxhighlight lang="{block[1]}">', block[2], "</syntaxhighlight>", ""]
        elif kind == "table":
            rows = block[1]
            out.append('{| class="wikitable"')
            out.append("! " + " !! ".join(rows[0]))
            for row in rows[1:]:
                out += ["|-", "| " + " || ".join(row)]
            out += ["|}", ""]
        elif kind == "raw":
            out += [block[1], ""]
    return "\n".join(out).rstrip() + "\n"


def word_count(text: str) -> int:
    return len(re.findall(r"[A-Za-z0-9][\w'./-]*", text))


# ---------------------------------------------------------------------------
# Wiki pages
# ---------------------------------------------------------------------------

HEADINGS_A = [
    "Background",
    "How it works",
    "How we do it",
    "Overview",
    "Context",
    "The short version",
]
HEADINGS_B = [
    "Step by step",
    "Checklist",
    "Rules of thumb",
    "What to check",
    "Procedure",
    "Key points",
]
HEADINGS_C = [
    "Common problems",
    "Things to watch out for",
    "Troubleshooting",
    "Good to know",
    "Gotchas",
    "Edge cases",
]
CODE_INTROS = [
    "For example:",
    "A typical example:",
    "What this looks like in practice:",
    "Example:",
    "The commands we usually run:",
    "Here is the reference snippet:",
]


def compose_blocks(
    topic: Topic,
    title: str,
    lead: str,
    rng: random.Random,
    idx: int,
    siblings: list[tuple[str, str]],
    owner: Person | None,
) -> list[tuple]:
    sents = pick_sentences(topic.sentences, f"{title} {lead}", rng, relevant=7, extra=5)
    relevant, filler = sents[:7], sents[7:]
    blocks: list[tuple] = [("p", " ".join([lead, relevant[0], relevant[1]]))]
    blocks += [
        ("h2", rng.choice(HEADINGS_A)),
        ("p", " ".join([relevant[2], filler[0], relevant[3]])),
    ]
    list_kind = "ol" if idx % 2 else "ul"
    blocks += [
        ("h2", rng.choice(HEADINGS_B)),
        (list_kind, [relevant[4], relevant[5], filler[1], filler[2]]),
    ]
    lang, code = topic.snippets[idx % len(topic.snippets)]
    blocks += [("p", rng.choice(CODE_INTROS)), ("code", lang, code)]
    if idx in (1, 4):
        blocks += [("h2", "Quick reference"), ("table", topic.table)]
    blocks += [("h2", rng.choice(HEADINGS_C)), ("p", " ".join([relevant[6], filler[3], filler[4]]))]
    if siblings:
        links = [f"[{t}]({s})" for t, s in siblings]
        blocks += [("h2", "See also"), ("ul", links)]
    if owner is not None:
        blocks.append(
            ("p", f"Page owner: {owner.name} ({owner.team}). Questions go to {topic.channel}.")
        )
    return blocks


def author_ref(person: Person, rng: random.Random) -> str:
    if person.github and rng.random() < 0.3:
        return f"@{person.github}"
    return person.email


def wiki_authorship(topic: Topic, rng: random.Random, n_pages: int) -> list[list[Person]]:
    """Author lists (main author first) for the topic's Markdown pages."""
    expert = PEOPLE_BY_ID[topic.expert]
    seconds = [PEOPLE_BY_ID[s] for s in topic.secondaries]
    inactive = [p for p in seconds if not p.active]
    active_seconds = [p for p in seconds if p.active]
    secondary_pages = rng.sample(range(1, n_pages), 2)  # page 0 always belongs to the expert
    generalists = [p for p in PEOPLE if not p.topics and p.active]
    result = []
    for i in range(n_pages):
        if i == secondary_pages[0]:
            first = inactive[0] if inactive else active_seconds[0]
        elif i == secondary_pages[1]:
            first = active_seconds[-1] if inactive else active_seconds[1 % len(active_seconds)]
        else:
            first = expert
        others = [p for p in seconds + [expert] if p is not first]
        co = rng.sample(others, rng.randint(0, 2))
        if first is not expert and expert not in co and rng.random() < 0.5:
            co.append(expert)
        if rng.random() < 0.15:
            co.append(rng.choice(generalists))
        result.append([first] + co)
    return result


def write_wiki(out: Path) -> dict:
    rng = random.Random(f"{SEED}-wiki")
    wiki = out / "wiki"
    sidecar = []
    stats = {"md": 0, "html": 0, "words": []}
    for topic in TOPICS:
        folder = wiki / topic.folder
        folder.mkdir(parents=True, exist_ok=True)
        slugs = [(title, slugify(title) + ".md") for title, _ in topic.pages]
        authorship = wiki_authorship(topic, rng, len(topic.pages))
        for idx, ((title, lead), authors) in enumerate(zip(topic.pages, authorship, strict=True)):
            siblings = rng.sample([s for s in slugs if s[0] != title], 2)
            owner = authors[0] if rng.random() < 0.5 else None
            blocks = compose_blocks(topic, title, lead, rng, idx, siblings, owner)
            if any(not a.active for a in authors):
                updated = rand_dt(rng, datetime(2023, 2, 1), datetime(2024, 2, 28)).date()
            else:
                updated = rand_dt(rng, datetime(2023, 6, 1), datetime(2025, 10, 15)).date()
            front = {
                "title": title,
                "authors": [author_ref(a, rng) for a in authors],
                "updated": updated,
            }
            if idx == 0:
                front["tags"] = topic.tags[:3]
            body = render_markdown(title, blocks)
            stats["words"].append(word_count(body))
            text = (
                "---\n"
                + yaml.safe_dump(front, sort_keys=False, allow_unicode=True, width=1000)
                + "---\n"
                + body
            )
            (folder / slugs[idx][1]).write_text(text, encoding="utf-8")
            stats["md"] += 1
        if topic.extra_html_page:
            title, lead = topic.extra_html_page
            slug = slugify(title) + ".html"
            expert = PEOPLE_BY_ID[topic.expert]
            # HTML pages link to the Markdown pages by their published URL.
            links = [(t, f"{WIKI_BASE}/{topic.folder}/{s[:-3]}") for t, s in rng.sample(slugs, 2)]
            blocks = compose_blocks(topic, title, lead, rng, 4, links, None)
            page = (
                f'<!DOCTYPE html>\n<html lang="en">\n<head>\n<meta charset="utf-8">\n<title>{html.escape(title)}'
                f" - {COMPANY} wiki</title>\n</head>\n<body>\n<h1>{html.escape(title)}</h1>\n"
                f"{render_html_blocks(blocks)}\n</body>\n</html>\n"
            )
            (folder / slug).write_text(page, encoding="utf-8")
            stats["html"] += 1
            helpers = rng.sample(
                [PEOPLE_BY_ID[s] for s in topic.secondaries if PEOPLE_BY_ID[s].active], 1
            )
            first = rand_dt(rng, datetime(2023, 3, 1), datetime(2024, 6, 30))
            last = rand_dt(rng, datetime(2024, 9, 1), datetime(2025, 10, 1))
            authors = [{"email": expert.email, "name": expert.name, "commits": rng.randint(6, 14)}]
            authors += [
                {"email": p.email, "name": p.name, "commits": rng.randint(1, 3)} for p in helpers
            ]
            sidecar.append(
                {
                    "path": f"{topic.folder}/{slug}",
                    "authors": authors,
                    "first_commit": first.replace(microsecond=0).isoformat() + "+00:00",
                    "last_commit": last.replace(microsecond=0).isoformat() + "+00:00",
                }
            )
    with open(wiki / "page_authors.jsonl", "w", encoding="utf-8") as handle:
        for row in sidecar:
            handle.write(json.dumps(row, ensure_ascii=False) + "\n")
    return stats


# ---------------------------------------------------------------------------
# Q&A (Stack Exchange data-dump layout)
# ---------------------------------------------------------------------------

EXPERT_OPENERS = [
    "",
    "",
    "This comes up a lot.",
    "Short answer first.",
    "Good question.",
    "We have hit exactly this before.",
    "A few things are going on here.",
]
HEDGES = [
    "Not sure this is the whole story, but",
    "I ran into something similar:",
    "Not an expert here, but",
    "From what I remember,",
    "Possibly related:",
]
QUESTION_CLOSINGS = [
    "",
    "",
    "Thanks in advance!",
    "Any pointers appreciated.",
    "Happy to share more details.",
    "What is the recommended way here?",
]
COMMENTS_ON_QUESTION = [
    "Can you share the exact error message?",
    "Is this in staging or in production?",
    "Did this start after the last release?",
    "Same problem here, following.",
    "We hit something similar last quarter.",
    "Could you add what you have already tried?",
    "Which team owns this? Might be worth asking in the channel too.",
]
COMMENTS_BY_ASKER = [
    "Thanks, that fixed it.",
    "That was it, thank you!",
    "Worked for us, much appreciated.",
    "Makes sense. Could this go on the wiki?",
    "Great explanation, thanks.",
    "Perfect, exactly what I needed.",
]
COMMENTS_BY_OTHERS = [
    "+1, this matches what we do in our team.",
    "Worth adding this to the runbook.",
    "Good point, I did not know that.",
    "This saved me an afternoon last month.",
    "Agree with this answer.",
]


@dataclass
class Post:
    kind: int  # 1 question, 2 answer
    created: datetime
    owner: int
    score: int
    body: str
    title: str = ""
    tags: str = ""
    parent: Post | None = None
    accepted: Post | None = None
    answers: list = field(default_factory=list)
    comments: list = field(default_factory=list)
    views: int = 0
    id: int = 0


def html_paragraphs(sentences: list[str]) -> str:
    return "<p>" + inline_html(" ".join(sentences)) + "</p>\n"


def answer_body(
    topic: Topic,
    question: tuple[str, str],
    rng: random.Random,
    level: str,
    page_link: tuple[str, str] | None,
) -> str:
    query = " ".join(question)
    if level == "expert":
        chosen = pick_sentences(topic.sentences, query, rng, relevant=4, extra=1)
        opener = rng.choice(EXPERT_OPENERS)
        body = html_paragraphs(([opener] if opener else []) + chosen[:2])
        if rng.random() < 0.5:
            body += "<ul>" + "".join(f"<li>{inline_html(s)}</li>" for s in chosen[2:4]) + "</ul>\n"
        else:
            body += html_paragraphs(chosen[2:4])
        if rng.random() < 0.55:
            lang, code = rng.choice(topic.snippets)
            body += f"<pre><code>{html.escape(code, quote=False)}</code></pre>\n"
        body += html_paragraphs(chosen[4:5])
        if page_link:
            body += f'<p>More background on the wiki: <a href="{page_link[1]}">{html.escape(page_link[0])}</a>.</p>\n'
        return body
    if level == "secondary":
        order = ranked(topic.sentences, query, rng)
        chosen = rng.sample(order[:6], 2)
        body = html_paragraphs(chosen)
        if rng.random() < 0.2:
            lang, code = rng.choice(topic.snippets)
            body += f"<pre><code>{html.escape(code, quote=False)}</code></pre>\n"
        return body
    hedge, sentence = rng.choice(HEDGES), rng.choice(topic.sentences)
    if not hedge.endswith(":") and sentence[:2].istitle():
        sentence = sentence[0].lower() + sentence[1:]
    return html_paragraphs([hedge, sentence])


def weighted_choice(rng: random.Random, items: list[tuple[object, float]]):
    total = sum(w for _, w in items)
    x = rng.random() * total
    for item, weight in items:
        x -= weight
        if x <= 0:
            return item
    return items[-1][0]


def build_qa(rng: random.Random) -> tuple[list[Post], list[dict], list[dict]]:
    """Questions/answers as Post objects, the user rows and the comment rows."""
    qa_people = [p for p in PEOPLE if p.qa_user]
    uid = {p.id: n for n, p in enumerate(qa_people, 1)}
    qa_only_ids = [len(qa_people) + 1 + n for n in range(len(QA_ONLY_USERS))]
    generalist_uids = [uid[p.id] for p in qa_people if not p.topics and p.active]
    left_on = {p.id: datetime(2024, 3, 31) for p in qa_people if not p.active}
    questions: list[Post] = []
    comments: list[tuple[Post, datetime, int, int, str]] = []
    for topic in TOPICS:
        expert = PEOPLE_BY_ID[topic.expert]
        seconds = [PEOPLE_BY_ID[s] for s in topic.secondaries if PEOPLE_BY_ID[s].qa_user]
        pages = [(t, f"{WIKI_BASE}/{topic.folder}/{slugify(t)}") for t, _ in topic.pages]
        dates = sorted(
            rand_dt(rng, datetime(2023, 1, 9), datetime(2025, 10, 20)) for _ in topic.questions
        )
        roles = ["E"] * 7 + ["S"] * 2 + ["N"]
        rng.shuffle(roles)
        if any(not s.active for s in seconds):
            # The person who left gave the accepted answer on the oldest question.
            dates[0] = rand_dt(rng, datetime(2023, 1, 9), datetime(2023, 9, 30))
            roles[roles.index("S")] = roles[0]
            roles[0] = "S*"
        order = list(range(len(topic.questions)))
        rng.shuffle(order)
        for qn, (created, role) in enumerate(zip(dates, roles, strict=True)):
            qtitle, qbody = topic.questions[order[qn]]
            askers = [
                (uid[p.id], 1.0 if p in seconds else 3.0)
                for p in qa_people
                if p.active and p is not expert
            ]
            askers += [(u, 1.0) for u in qa_only_ids]
            asker = weighted_choice(rng, askers)
            closing = rng.choice(QUESTION_CLOSINGS)
            tags = [topic.tags[0]] + rng.sample(topic.tags[1:], rng.randint(1, 2))
            q = Post(
                1,
                created,
                asker,
                rng.randint(0, 14),
                f"<p>{html.escape(qbody, quote=False)}</p>\n"
                + (f"<p>{closing}</p>\n" if closing else ""),
                title=qtitle,
                tags="".join(f"<{t}>" for t in tags),
                views=rng.randint(15, 900),
            )
            questions.append(q)
            active_seconds = [s for s in seconds if s.active and uid[s.id] != asker]
            if role == "S*":
                acc_person, level = next(s for s in seconds if not s.active), "secondary"
            elif role == "S" and active_seconds:
                acc_person, level = rng.choice(active_seconds), "secondary"
            elif role in ("E", "S"):
                acc_person, level = expert, "expert"
            else:
                acc_person, level = None, None
            answerers: list[tuple[int, str, bool]] = []  # (user id, level, accepted)
            if acc_person is not None:
                answerers.append((uid[acc_person.id], level, True))
            if role in ("N",) or (role.startswith("S") and rng.random() < 0.4):
                answerers.append((uid[expert.id], "expert", False))
            extra = rng.choice([0, 0, 1, 1, 2])
            if not answerers:
                extra = max(extra, 1)
            pool = [
                (uid[s.id], 3.0)
                for s in seconds
                if s.active or created < left_on.get(s.id, datetime.max)
            ]
            pool += [(u, 1.0) for u in generalist_uids] + [(u, 0.7) for u in qa_only_ids]
            for _ in range(extra):
                candidates = [
                    (u, w) for u, w in pool if u != asker and u not in {a[0] for a in answerers}
                ]
                if not candidates:
                    break
                who = weighted_choice(rng, candidates)
                is_second = who in {uid[s.id] for s in seconds}
                answerers.append((who, "secondary" if is_second else "other", False))
            when = created
            for who, lvl, accepted in answerers:
                when = when + timedelta(minutes=rng.randint(12, 60 * 30))
                link = rng.choice(pages) if lvl == "expert" and rng.random() < 0.4 else None
                if lvl == "expert":
                    score = rng.randint(7, 26) if accepted else rng.randint(3, 12)
                elif lvl == "secondary":
                    score = rng.randint(3, 10) if accepted else rng.randint(0, 5)
                else:
                    score = rng.randint(-1, 3)
                a = Post(
                    2,
                    when,
                    who,
                    score,
                    answer_body(topic, (qtitle, qbody), rng, lvl, link),
                    parent=q,
                )
                q.answers.append(a)
                if accepted:
                    q.accepted = a
            # Comments: a clarification on the question, thanks on the accepted answer.
            if rng.random() < 0.45:
                commenter = weighted_choice(rng, [(u, 1.0) for u, _ in pool if u != asker])
                comments.append(
                    (
                        q,
                        created + timedelta(minutes=rng.randint(5, 240)),
                        commenter,
                        rng.randint(0, 2),
                        rng.choice(COMMENTS_ON_QUESTION),
                    )
                )
            for a in q.answers:
                if a is q.accepted or rng.random() < 0.25:
                    c_when = a.created + timedelta(minutes=rng.randint(10, 600))
                    if a is q.accepted:
                        comments.append(
                            (a, c_when, asker, rng.randint(0, 3), rng.choice(COMMENTS_BY_ASKER))
                        )
                    else:
                        other = weighted_choice(
                            rng, [(u, 1.0) for u, _ in pool if u not in (asker, a.owner)]
                        )
                        text = rng.choice(COMMENTS_BY_OTHERS)
                        if rng.random() < 0.3:
                            text = f'The wiki page "{rng.choice(pages)[0]}" covers this in more detail.'
                        comments.append((a, c_when, other, rng.randint(0, 2), text))
    # Ids in creation order, like a real dump.
    posts = questions + [a for q in questions for a in q.answers]
    posts.sort(key=lambda p: p.created)
    for n, post in enumerate(posts, 1):
        post.id = n
    for post, when, user, score, text in comments:
        post.comments.append((when, user, score, text))
    comments.sort(key=lambda c: c[1])
    comment_rows = [
        {
            "Id": str(n),
            "PostId": str(post.id),
            "Score": str(score),
            "Text": text,
            "CreationDate": se_time(when),
            "UserId": str(user),
        }
        for n, (post, when, user, score, text) in enumerate(comments, 1)
    ]
    # Users.
    activity: dict[int, list[datetime]] = {}
    reputation: dict[int, int] = {}
    for post in posts:
        activity.setdefault(post.owner, []).append(post.created)
        reputation[post.owner] = reputation.get(post.owner, 1) + max(post.score, 0) * (
            10 if post.kind == 2 else 5
        )
        if post.kind == 2 and post.parent.accepted is post:
            reputation[post.owner] += 15
    users = [
        {
            "Id": "-1",
            "Reputation": "1",
            "CreationDate": "2022-11-02T09:00:00.000",
            "DisplayName": "Community",
            "LastAccessDate": "2022-11-02T09:00:00.000",
            "Location": "on the server farm",
            "AboutMe": "<p>Hi, I'm not really a person. I'm a background process that keeps this site tidy.</p>",
            "Views": "0",
            "UpVotes": "0",
            "DownVotes": "0",
            "AccountId": "-1",
        }
    ]
    people_rows = [
        (uid[p.id], p.name, p.location, f"<p>{html.escape(p.description, quote=False)}</p>")
        for p in qa_people
    ]
    people_rows += [
        (u, name, loc, about)
        for u, (name, loc, about) in zip(qa_only_ids, QA_ONLY_USERS, strict=True)
    ]
    for user_id, name, location, about in people_rows:
        seen = activity.get(user_id) or [datetime(2023, 1, 9, 9, 0)]
        created = min(seen) - timedelta(days=rng.randint(3, 120), minutes=rng.randint(0, 600))
        last = max(seen) + timedelta(days=rng.randint(0, 30), minutes=rng.randint(0, 600))
        users.append(
            {
                "Id": str(user_id),
                "Reputation": str(reputation.get(user_id, 1)),
                "CreationDate": se_time(created),
                "DisplayName": name,
                "LastAccessDate": se_time(last),
                "Location": location,
                "AboutMe": about,
                "Views": str(rng.randint(3, 400)),
                "UpVotes": str(rng.randint(0, 150)),
                "DownVotes": str(rng.randint(0, 5)),
                "AccountId": str(1000 + user_id),
            }
        )
    return posts, users, comment_rows


def post_row(post: Post) -> dict:
    last = max(
        [post.created]
        + [a.created for a in post.answers]
        + [c[0] for c in post.comments]
        + [c[0] for a in post.answers for c in a.comments]
    )
    if post.kind == 1:
        row = {"Id": post.id, "PostTypeId": 1}
        if post.accepted:
            row["AcceptedAnswerId"] = post.accepted.id
        row.update(
            {
                "CreationDate": se_time(post.created),
                "Score": post.score,
                "ViewCount": post.views,
                "Body": post.body,
                "OwnerUserId": post.owner,
                "LastActivityDate": se_time(last),
                "Title": post.title,
                "Tags": post.tags,
                "AnswerCount": len(post.answers),
                "CommentCount": len(post.comments),
                "ContentLicense": "CC BY-SA 4.0",
            }
        )
    else:
        row = {
            "Id": post.id,
            "PostTypeId": 2,
            "ParentId": post.parent.id,
            "CreationDate": se_time(post.created),
            "Score": post.score,
            "Body": post.body,
            "OwnerUserId": post.owner,
            "LastActivityDate": se_time(last),
            "CommentCount": len(post.comments),
            "ContentLicense": "CC BY-SA 4.0",
        }
    return {k: str(v) for k, v in row.items()}


def write_dump(path: Path, root: str, rows: list[dict]) -> None:
    out = ['<?xml version="1.0" encoding="utf-8"?>', f"<{root}>"]
    for row in rows:
        element = ET.Element("row", row)
        out.append("  " + ET.tostring(element, encoding="unicode"))
    out.append(f"</{root}>")
    path.write_text("\n".join(out) + "\n", encoding="utf-8")


def write_qa(out: Path) -> dict:
    rng = random.Random(f"{SEED}-qa")
    posts, users, comments = build_qa(rng)
    qa = out / "qa"
    qa.mkdir(parents=True, exist_ok=True)
    write_dump(qa / "Posts.xml", "posts", [post_row(p) for p in posts])
    write_dump(qa / "Users.xml", "users", users)
    write_dump(qa / "Comments.xml", "comments", comments)
    return {
        "questions": sum(p.kind == 1 for p in posts),
        "answers": sum(p.kind == 2 for p in posts),
        "users": len(users),
        "comments": len(comments),
        "posts": posts,
        "user_rows": users,
    }


# ---------------------------------------------------------------------------
# MediaWiki export
# ---------------------------------------------------------------------------

MW_NS = "http://www.mediawiki.org/xml/export-0.11/"
XML_NS = "http://www.w3.org/XML/1998/namespace"
MW_COMMENTS = [
    "Initial version",
    "Add troubleshooting section",
    "Expand after incident review",
    "Fix typos",
    "Clarify the procedure",
    "Update links",
    "Add examples",
]


def mw_sha1(text: str) -> str:
    number = int(hashlib.sha1(text.encode("utf-8")).hexdigest(), 16)
    digits = "0123456789abcdefghijklmnopqrstuvwxyz"
    out = ""
    while number:
        number, rest = divmod(number, 36)
        out = digits[rest] + out
    return out.rjust(31, "0")


def mw_sections(topic: Topic, title: str, rng: random.Random, others: list[str]) -> list[str]:
    """The page's wikitext as a list of chunks; revision k shows the first k+2 chunks."""
    expert = PEOPLE_BY_ID[topic.expert]
    sents = pick_sentences(topic.sentences, title + " " + topic.name, rng, relevant=6, extra=6)
    lead_sentence = topic.pages[0][1]
    chunks = [
        f"{{{{Infobox team page|owner={expert.github}|team={expert.team}|channel={topic.channel}}}}}\n"
        f"'''{title}''' collects what the {expert.team} team has learned about {topic.name}. "
        f"{inline_wikitext(lead_sentence)}\n",
        render_wikitext([("h2", "Overview"), ("p", " ".join(sents[0:3]))]),
        render_wikitext([("h2", "Key points"), ("ul", sents[3:7])]),
        render_wikitext(
            [("h2", "Example"), ("code",) + topic.snippets[rng.randrange(len(topic.snippets))]]
        ),
        render_wikitext([("h2", "Pitfalls"), ("p", " ".join(sents[7:10]))])
        + "{{Note|"
        + inline_wikitext(sents[10])
        + "}}\n",
        render_wikitext(
            [
                ("h2", "See also"),
                (
                    "raw",
                    "\n".join(
                        [f"* [[{o}|{o.lower()}]]" for o in others]
                        + [
                            f"* [{WIKI_BASE}/{topic.folder}/{slugify(topic.pages[1][0])} {topic.pages[1][0]}] on the team wiki"
                        ]
                    ),
                ),
            ]
        )
        + f"\n[[Category:{expert.team}]]\n",
    ]
    return chunks


def write_mediawiki(out: Path) -> dict:
    rng = random.Random(f"{SEED}-mediawiki")
    ET.register_namespace("", MW_NS)
    q = lambda tag: f"{{{MW_NS}}}{tag}"  # noqa: E731
    root = ET.Element(q("mediawiki"), {"version": "0.11", f"{{{XML_NS}}}lang": "en"})
    site = ET.SubElement(root, q("siteinfo"))
    for tag, value in [
        ("sitename", f"{COMPANY} Engineering Wiki"),
        ("dbname", "lumenwiki"),
        ("base", MW_BASE + "Main_Page"),
        ("generator", "MediaWiki 1.41.1"),
        ("case", "first-letter"),
    ]:
        ET.SubElement(site, q(tag)).text = value
    namespaces = ET.SubElement(site, q("namespaces"))
    for key, name in [
        ("-1", "Special"),
        ("0", ""),
        ("1", "Talk"),
        ("2", "User"),
        ("10", "Template"),
        ("14", "Category"),
    ]:
        ET.SubElement(namespaces, q("namespace"), {"key": key, "case": "first-letter"}).text = (
            name or None
        )
    mw_topics = [t for t in TOPICS if t.mw_title]
    ip_pages = set(rng.sample(range(len(mw_topics)), 2))
    person_number = {p.id: n for n, p in enumerate(PEOPLE, 1)}
    revision_id = 100
    stats = {"pages": 0, "revisions": 0}
    for page_no, topic in enumerate(mw_topics):
        expert = PEOPLE_BY_ID[topic.expert]
        helpers = [PEOPLE_BY_ID[s] for s in topic.secondaries if PEOPLE_BY_ID[s].github]
        others = [t.mw_title for t in rng.sample([t for t in mw_topics if t is not topic], 2)]
        chunks = mw_sections(topic, topic.mw_title, rng, others)
        n_revisions = rng.randint(1, 5) if page_no % 3 else 4
        if page_no in ip_pages:
            n_revisions = max(n_revisions, 3)
        # Contributors: mostly the expert; one helper edit; an IP edit on two pages.
        contributors: list[Person | str] = [expert if rng.random() < 0.75 else rng.choice(helpers)]
        for _ in range(1, n_revisions):
            contributors.append(expert if rng.random() < 0.6 else rng.choice(helpers))
        if page_no in ip_pages:
            contributors[rng.randrange(1, n_revisions)] = (
                f"10.0.{rng.randint(0, 9)}.{rng.randint(2, 250)}"
            )
        if expert not in contributors:
            contributors[-1] = expert
        page = ET.SubElement(root, q("page"))
        ET.SubElement(page, q("title")).text = topic.mw_title
        ET.SubElement(page, q("ns")).text = "0"
        ET.SubElement(page, q("id")).text = str(page_no + 1)
        when = rand_dt(rng, datetime(2023, 2, 1), datetime(2024, 12, 31))
        parent = None
        for k, who in enumerate(contributors):
            if isinstance(who, Person) and not who.active:
                who = expert
            revision_id += rng.randint(1, 40)
            n_chunks = (
                len(chunks)
                if k == n_revisions - 1
                else min(len(chunks), 2 + k * len(chunks) // n_revisions)
            )
            text = "\n".join(chunks[:n_chunks])
            rev = ET.SubElement(page, q("revision"))
            ET.SubElement(rev, q("id")).text = str(revision_id)
            if parent:
                ET.SubElement(rev, q("parentid")).text = str(parent)
            ET.SubElement(rev, q("timestamp")).text = when.strftime("%Y-%m-%dT%H:%M:%SZ")
            contributor = ET.SubElement(rev, q("contributor"))
            if isinstance(who, str):
                ET.SubElement(contributor, q("ip")).text = who
            else:
                ET.SubElement(contributor, q("username")).text = who.github
                ET.SubElement(contributor, q("id")).text = str(person_number[who.id])
            if k:
                ET.SubElement(rev, q("minor")) if rng.random() < 0.3 else None
            ET.SubElement(rev, q("comment")).text = (
                MW_COMMENTS[0] if k == 0 else rng.choice(MW_COMMENTS[1:])
            )
            ET.SubElement(rev, q("model")).text = "wikitext"
            ET.SubElement(rev, q("format")).text = "text/x-wiki"
            text_el = ET.SubElement(
                rev,
                q("text"),
                {"bytes": str(len(text.encode("utf-8"))), f"{{{XML_NS}}}space": "preserve"},
            )
            text_el.text = text
            ET.SubElement(rev, q("sha1")).text = mw_sha1(text)
            parent = revision_id
            when += timedelta(days=rng.randint(3, 120), minutes=rng.randint(0, 900))
            stats["revisions"] += 1
        stats["pages"] += 1
    ET.indent(root, space="  ")
    body = ET.tostring(root, encoding="unicode")
    (out / "mediawiki.xml").write_text(
        '<?xml version="1.0" encoding="utf-8"?>\n' + body + "\n", encoding="utf-8"
    )
    return stats


# ---------------------------------------------------------------------------
# people.yml, expected.yml, README.md
# ---------------------------------------------------------------------------


def write_people(out: Path) -> None:
    data = {}
    for p in PEOPLE:
        entry = {
            "name": p.name,
            "role": p.role,
            "team": p.team,
            "location": p.location,
            "email": p.email,
        }
        if p.github:
            entry["github"] = p.github
        entry["description"] = p.description
        entry["skills"] = p.skills
        if not p.active:
            entry["active"] = False
        data[p.id] = entry
    header = (
        f"# {COMPANY} (fictional) - people and bios. Generated by scripts/make_sample_org.py.\n"
        "# record id -> person; `active: false` marks people who have left.\n"
    )
    (out / "people.yml").write_text(
        header
        + yaml.safe_dump(
            data, sort_keys=False, allow_unicode=True, width=100, default_flow_style=None
        ),
        encoding="utf-8",
    )


def write_expected(out: Path) -> None:
    rows = [
        {"topic": t.name, "expert": PEOPLE_BY_ID[t.expert].email, "queries": t.queries}
        for t in TOPICS
    ]
    header = (
        "# For each topic: the one clear expert (email as in people.yml) and two queries a colleague\n"
        "# might type. A search for any query should rank the expert first.\n"
    )
    (out / "expected.yml").write_text(
        header
        + yaml.safe_dump(
            rows, sort_keys=False, allow_unicode=True, width=120, default_flow_style=None
        ),
        encoding="utf-8",
    )


README = """# Sample organisation: {company} (fictional)

{company} is an invented B2B software company (operations reporting for mid-sized businesses). Everything in
this folder - people, bios, wiki pages, Q&A threads and MediaWiki pages - was written for WhoKnows and is
generated deterministically by `scripts/make_sample_org.py` (fixed seed, standard library + PyYAML). Do not
edit the files by hand; change the script and re-run it:

    python scripts/make_sample_org.py

All email addresses use the reserved domain `example.com`.

## Contents

| Path | Format | What |
| --- | --- | --- |
| `people.yml` | YAML mapping `record_id -> person` (team.yml shape): `name, role, team, location, email, github?, description, skills, active?` | {n_people} people; `active: false` marks {n_inactive} who left; some have no `github` |
| `wiki/<topic>/*.md` | Markdown with YAML front matter `title`, `authors` (emails or `@github` handles, main author first), `updated` | {n_md} pages |
| `wiki/<topic>/*.html` + `wiki/page_authors.jsonl` | plain HTML; authorship in the sidecar, one JSON line per page: `path` (relative to `wiki/`), `authors` [`email`, `name`, `commits`], `first_commit`, `last_commit` | {n_html} pages |
| `qa/Posts.xml`, `qa/Users.xml`, `qa/Comments.xml` | Stack Exchange data-dump layout (as exported by Stack Overflow for Teams) | {n_q} questions, {n_a} answers, {n_c} comments, {n_u} users |
| `mediawiki.xml` | MediaWiki XML export, schema 0.11; contributors are GitHub handles, a few IP edits | {n_mw} pages, {n_rev} revisions |
| `expected.yml` | list of `topic`, `expert` (email), `queries` | the answer key used by the tests |

Identity conventions: a Q&A user's `DisplayName` equals the person's `name` in `people.yml`; MediaWiki
usernames and wiki `@handles` equal the person's `github`; wiki emails equal `email`. The Q&A site also has
users that are not in `people.yml` (`Community`, and two outside contributors).

## Topics and experts

| Topic | Wiki folder | Expert |
| --- | --- | --- |
{topic_rows}
"""


def write_readme(out: Path, stats: dict) -> None:
    rows = "\n".join(
        f"| {t.name} | `wiki/{t.folder}` | {PEOPLE_BY_ID[t.expert].name} ({PEOPLE_BY_ID[t.expert].email}) |"
        for t in TOPICS
    )
    (out / "README.md").write_text(
        README.format(company=COMPANY, topic_rows=rows, **stats), encoding="utf-8"
    )


# ---------------------------------------------------------------------------
# Main
# ---------------------------------------------------------------------------


def assign_topics() -> None:
    for person in PEOPLE:
        person.topics = []
    for topic in TOPICS:
        PEOPLE_BY_ID[topic.expert].topics.append(topic.key)
        for s in topic.secondaries:
            PEOPLE_BY_ID[s].topics.append(topic.key)


def generate(out: Path) -> dict:
    assign_topics()
    out.mkdir(parents=True, exist_ok=True)
    for sub in ("wiki", "qa"):
        if (out / sub).exists():
            shutil.rmtree(out / sub)
    write_people(out)
    wiki = write_wiki(out)
    qa = write_qa(out)
    mw = write_mediawiki(out)
    write_expected(out)
    stats = {
        "n_people": len(PEOPLE),
        "n_inactive": sum(not p.active for p in PEOPLE),
        "n_md": wiki["md"],
        "n_html": wiki["html"],
        "n_q": qa["questions"],
        "n_a": qa["answers"],
        "n_c": qa["comments"],
        "n_u": qa["users"],
        "n_mw": mw["pages"],
        "n_rev": mw["revisions"],
    }
    write_readme(out, stats)
    stats["wiki_words_min"] = min(wiki["words"])
    stats["wiki_words_max"] = max(wiki["words"])
    return stats


def check(out: Path) -> list[str]:
    """Consistency checks over a generated folder; returns the problems found (and prints a summary)."""
    problems: list[str] = []
    people = yaml.safe_load((out / "people.yml").read_text(encoding="utf-8"))
    by_ref = {}
    for pid, p in people.items():
        by_ref[p["email"]] = pid
        if p.get("github"):
            by_ref["@" + p["github"]] = pid
    by_name = {p["name"]: pid for pid, p in people.items()}
    inactive = {pid for pid, p in people.items() if p.get("active") is False}
    expected = yaml.safe_load((out / "expected.yml").read_text(encoding="utf-8"))
    experts = {e["expert"] for e in expected}
    if len(people) < 40 or len(inactive) != 2:
        problems.append(f"people: {len(people)} people, {len(inactive)} inactive")
    if any(people[pid]["email"] in experts for pid in inactive):
        problems.append("an inactive person is an expert")
    # Wiki.
    first_authors: dict[str, dict[str, int]] = {}
    titles = []
    n_pages = 0
    for page in sorted((out / "wiki").rglob("*.md")):
        text = page.read_text(encoding="utf-8")
        _, front, body = text.split("---\n", 2)
        meta = yaml.safe_load(front)
        titles.append(meta["title"])
        words = word_count(body)
        if not 150 <= words <= 500:
            problems.append(f"{page}: {words} words")
        for ref in meta["authors"]:
            if ref not in by_ref:
                problems.append(f"{page}: unknown author {ref}")
        folder = page.parent.name
        first = by_ref.get(meta["authors"][0])
        first_authors.setdefault(folder, {})
        first_authors[folder][first] = first_authors[folder].get(first, 0) + 1
        n_pages += 1
    for line in (out / "wiki" / "page_authors.jsonl").read_text(encoding="utf-8").splitlines():
        row = json.loads(line)
        if not (out / "wiki" / row["path"]).exists():
            problems.append(f"sidecar path missing: {row['path']}")
        n_pages += 1
    # Q&A.
    posts = ET.parse(out / "qa" / "Posts.xml").getroot()
    users = {
        u.get("Id"): u.get("DisplayName") for u in ET.parse(out / "qa" / "Users.xml").getroot()
    }
    comments = ET.parse(out / "qa" / "Comments.xml").getroot()
    rows = {r.get("Id"): r for r in posts}
    questions = [r for r in rows.values() if r.get("PostTypeId") == "1"]
    answers: dict[str, list] = {}
    for r in rows.values():
        if r.get("PostTypeId") == "2":
            answers.setdefault(r.get("ParentId"), []).append(r)
    accepted_by: dict[str, dict[str, int]] = {}
    for q in questions:
        n = len(answers.get(q.get("Id"), []))
        if not 1 <= n <= 4 or int(q.get("AnswerCount")) != n:
            problems.append(f"question {q.get('Id')}: {n} answers")
        tag = re.match(r"<([^>]+)>", q.get("Tags")).group(1)
        acc = q.get("AcceptedAnswerId")
        if acc:
            if rows[acc].get("ParentId") != q.get("Id"):
                problems.append(f"question {q.get('Id')}: bad accepted answer")
            name = users[rows[acc].get("OwnerUserId")]
            accepted_by.setdefault(tag, {})
            accepted_by[tag][name] = accepted_by[tag].get(name, 0) + 1
    qa_people = [name for name in users.values() if name in by_name]
    # Summary per topic.
    for topic in TOPICS:
        expert = PEOPLE_BY_ID[topic.expert]
        fa = first_authors.get(topic.folder, {})
        acc = accepted_by.get(topic.tags[0], {})
        top_fa = max(fa, key=fa.get)
        top_acc = max(acc, key=acc.get)
        if top_fa != expert.id or top_acc != expert.name:
            problems.append(f"{topic.key}: top first author {top_fa}, top accepted {top_acc}")
        print(
            f"  {topic.name:50s} {expert.name:18s} wiki first-author {fa.get(expert.id, 0)}/{sum(fa.values())}"
            f"  accepted {acc.get(expert.name, 0)}/{sum(acc.values())}"
        )
    for entry in expected:
        for query in entry["queries"]:
            if any(t.lower() in query.lower() for t in titles):
                problems.append(f"query copies a title: {query}")
    mw = ET.parse(out / "mediawiki.xml").getroot()
    mw_pages = mw.findall(f"{{{MW_NS}}}page")
    size = sum(f.stat().st_size for f in out.rglob("*") if f.is_file())
    print(
        f"  people {len(people)} (inactive {len(inactive)}), wiki pages {n_pages}, questions {len(questions)}, "
        f"answers {sum(map(len, answers.values()))}, comments {len(comments)}, Q&A users {len(users)} "
        f"({len(qa_people)} in people.yml), MediaWiki pages {len(mw_pages)}, topics {len(expected)}, "
        f"size {size / 1e6:.2f} MB"
    )
    if n_pages < 85 or len(questions) < 110 or len(expected) < 12 or size > 3e6:
        problems.append("minimum counts not met or too big")
    return problems


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        "--out", type=Path, default=Path(__file__).resolve().parent.parent / "sample_org"
    )
    parser.add_argument("--check-only", action="store_true", help="only check an existing folder")
    args = parser.parse_args()
    assign_topics()
    if not args.check_only:
        stats = generate(args.out)
        print(", ".join(f"{key}={value}" for key, value in stats.items()))
    problems = check(args.out)
    for problem in problems:
        print("PROBLEM:", problem)
    raise SystemExit(1 if problems else 0)


if __name__ == "__main__":
    main()
