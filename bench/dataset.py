"""The synthetic dataset: a firm with years of history, built in memory as plain rows.

Shape (``entries`` = N completed time entries):

* 100 clients, 2,000 projects, 50 staff users, N entries on workdays over three years.
* Client 1 ("Benchmark Client") holds 10% of everything: 200 projects, N/10 entries and so
  about a tenth of the invoices. Its 8 portal users log in with :data:`PORTAL_PASSWORD`; the
  staff (``staffNN@bench.example``) and the administrator with :data:`STAFF_PASSWORD`.
* About N/20 invoices (50,000 at a million entries; scaled down proportionally for smaller
  runs). An invoice bills a run of consecutive billable entries of one project, one line per
  task, and the entries point at their line. Entries of the last three weeks are unbilled.
* Amounts come from the product's rules (``timetracker.billing.rules``: hours billed rounded up
  to the hundredth, line = quantity x price rounded half-up, tax = subtotal x rate rounded
  half-up, total = subtotal + tax), amount_paid is the sum of the payments, and status is paid
  exactly when
  amount_paid == total. Sent invoices past due with a balance are overdue; some are drafts,
  some cancelled (their entries released, as ``billing.invoicing.cancel`` does).
* A few running timers (no end) on the benchmark client, which the portal must not show.

Rows are tuples of plain Python values in column order; :mod:`bench.loader` writes them.
Time entries are kept as parallel integer lists (a million tuples of objects would cost
seconds of allocation), and formatted per chunk by the loader.
"""

from __future__ import annotations

import datetime as dt
import random
from dataclasses import dataclass, field
from decimal import Decimal

from timetracker.billing import rules

CLIENTS = 100
PROJECTS = 2000
STAFF_USERS = 50
YEARS = 3
#: Share of clients' data held by the benchmark client.
BENCH_SHARE = 10
BENCH_CLIENT_ID = 1
ENTRIES_PER_INVOICE = 20
UNBILLED_DAYS = 21

PORTAL_EMAIL = "portal@bench.example"
#: Portal users of the benchmark client: one per connection of the 8-connection runs, as
#: several people of one client would be (downloads are rate limited per user).
PORTAL_USERS = 8
PORTAL_PASSWORD = "bench-portal-password"  # noqa: S105 - synthetic benchmark account
STAFF_PASSWORD = "bench-staff-password"  # noqa: S105 - synthetic benchmark account
ADMIN_EMAIL = "admin@bench.example"

TASKS = [
    "Design review",
    "Implementation",
    "Client meeting",
    "Bug fixing",
    "Code review",
    "Deployment",
    "Documentation",
    "Planning",
]
WORDS = [
    "Atlas",
    "Beacon",
    "Cobalt",
    "Delta",
    "Ember",
    "Falcon",
    "Granite",
    "Harbor",
    "Indigo",
    "Juniper",
    "Kestrel",
    "Lumen",
    "Meridian",
    "Nimbus",
    "Orchid",
    "Pioneer",
]
TAX_RATES = (0, 7, 19, 20)

#: Start of the working day and the latest start, in minutes; durations 15 min to 4 h in
#: 5-minute steps, so an entry never crosses midnight.
FIRST_START = 7 * 60
LAST_START = 17 * 60 + 45
MIN_DURATION = 15
MAX_DURATION = 240


def portal_emails() -> list[str]:
    return [PORTAL_EMAIL] + [f"portal{k}@bench.example" for k in range(2, PORTAL_USERS + 1)]


def staff_emails() -> list[str]:
    return [f"staff{uid:02d}@bench.example" for uid in range(1, STAFF_USERS + 1)]


def cents_to_decimal(cents: int) -> Decimal:
    return Decimal(cents).scaleb(-2)


@dataclass
class Entries:
    """Time entries in id order (chronological), as parallel lists.

    ``day`` indexes :attr:`Dataset.days`; ``start`` and ``duration`` are minutes;
    ``item`` is the billing invoice line id or 0.
    """

    project: list[int] = field(default_factory=list)
    client: list[int] = field(default_factory=list)
    user: list[int] = field(default_factory=list)
    day: list[int] = field(default_factory=list)
    start: list[int] = field(default_factory=list)
    duration: list[int] = field(default_factory=list)
    billable: list[bool] = field(default_factory=list)
    task: list[int] = field(default_factory=list)
    item: list[int] = field(default_factory=list)

    def __len__(self) -> int:
        return len(self.project)


@dataclass
class Dataset:
    entries_requested: int
    today: dt.date
    days: list[dt.date]
    settings: list[tuple]
    users: list[tuple]
    clients: list[tuple]
    projects: list[tuple]
    invoices: list[tuple]
    invoice_items: list[tuple]
    payments: list[tuple]
    invoice_sequences: list[tuple]
    entries: Entries
    #: Running timers: (user_id, project_id, client_id, start datetime).
    running: list[tuple[int, int, int, dt.datetime]]
    #: Facts the load driver needs (ids, dates, counts).
    facts: dict[str, object]


def _workdays(today: dt.date) -> list[dt.date]:
    first = today - dt.timedelta(days=365 * YEARS)
    days = []
    day = first
    while day < today:
        if day.weekday() < 5:
            days.append(day)
        day += dt.timedelta(days=1)
    return days


def _at(day: dt.date, minute: int) -> dt.datetime:
    return dt.datetime(day.year, day.month, day.day, tzinfo=dt.UTC) + dt.timedelta(minutes=minute)


def generate(
    entries: int,
    password_hash: str,
    seed: int = 20261125,
    staff_password_hash: str | None = None,
) -> Dataset:
    """The dataset; portal users sign in with ``password_hash``, staff and the administrator
    with ``staff_password_hash`` (the same as the portal's when not given)."""
    rng = random.Random(seed)
    today = dt.datetime.now(dt.UTC).date()
    days = _workdays(today)
    created = _at(days[0], 8 * 60)

    settings = [
        (1, "Bench Agency Ltd", "1 Benchmark Way", "billing@bench.example", "EUR", "UTC")
        + ("en_US", "INV-", 30, "0", 0)
    ]

    # Users: 50 staff (ids 1-50), an administrator, and the benchmark client's portal user.
    users = [
        (uid, email, f"Staff Member {uid:02d}", "staff", False, None)
        for uid, email in enumerate(staff_emails(), start=1)
    ]
    admin_id = STAFF_USERS + 1
    portal_id = STAFF_USERS + 2
    users.append((admin_id, ADMIN_EMAIL, "Bench Admin", "admin", False, None))
    for k, email in enumerate(portal_emails()):
        name = f"Benchmark Portal {k + 1}"
        users.append((portal_id + k, email, name, "client", True, BENCH_CLIENT_ID))
    staff_hash = staff_password_hash or password_hash
    users = [
        (uid, email, name, password_hash if portal else staff_hash, role, True, 1, created)
        + (portal, client_id, True)
        for uid, email, name, role, portal, client_id in users
    ]

    client_rates = {}
    client_tax = {}
    clients = []
    for cid in range(1, CLIENTS + 1):
        name = (
            "Benchmark Client" if cid == BENCH_CLIENT_ID else f"Client {cid:03d} {WORDS[cid % 16]}"
        )
        rate = rng.randrange(80, 160) * 100
        client_rates[cid] = rate
        client_tax[cid] = rng.choice(TAX_RATES)
        clients.append(
            (cid, name, f"accounts{cid}@client.example", f"{cid} Client Street", "EUR")
            + (cents_to_decimal(rate), True, created)
        )

    # Projects: ids 1-200 belong to the benchmark client, the rest to the other 99 clients.
    bench_projects = PROJECTS // BENCH_SHARE
    project_client = {}
    project_rate = {}
    project_team = {}
    projects = []
    for pid in range(1, PROJECTS + 1):
        cid = (
            BENCH_CLIENT_ID
            if pid <= bench_projects
            else 2 + (pid - bench_projects - 1) % (CLIENTS - 1)
        )
        project_client[pid] = cid
        own_rate = rng.random() < 0.7
        rate_cents = rng.randrange(70, 180) * 100 if own_rate else None
        project_rate[pid] = rate_cents if rate_cents is not None else client_rates[cid]
        project_team[pid] = rng.sample(range(1, STAFF_USERS + 1), rng.randint(3, 5))
        status = "archived" if rng.random() < 0.25 else "active"
        budget = Decimal(rng.randrange(50, 2000)) if rng.random() < 0.5 else None
        projects.append(
            (pid, cid, f"{WORDS[pid % 16]} {pid:04d}", f"Work stream {pid}", status, True)
            + (cents_to_decimal(rate_cents) if rate_cents is not None else None, budget, None)
            + (created,)
        )

    ents = _entries(rng, entries, len(days), bench_projects, project_team)
    ents.client = [project_client[p] for p in ents.project]

    invoices, items, payments, sequences = _bill(
        rng, ents, days, today, project_client, project_rate, client_tax
    )

    # Running timers: five staff members on benchmark projects, started an hour ago.
    now = dt.datetime.now(dt.UTC).replace(second=0, microsecond=0)
    running = []
    for k in range(5):
        pid = 1 + k
        running.append((project_team[pid][0], pid, BENCH_CLIENT_ID, now - dt.timedelta(hours=1)))
    running = list({r[0]: r for r in running}.values())  # one per user

    facts = _facts(ents, days, invoices, items, bench_projects, portal_id)
    return Dataset(
        entries_requested=entries,
        today=today,
        days=days,
        settings=settings,
        users=users,
        clients=clients,
        projects=projects,
        invoices=invoices,
        invoice_items=items,
        payments=payments,
        invoice_sequences=sequences,
        entries=ents,
        running=running,
        facts=facts,
    )


def _entries(
    rng: random.Random,
    count: int,
    day_count: int,
    bench_projects: int,
    teams: dict[int, list[int]],
) -> Entries:
    """``count`` completed entries, 10% on the benchmark client, sorted by start time."""
    bench = count // BENCH_SHARE
    choices = rng.choices
    projects = choices(range(1, bench_projects + 1), k=bench)
    projects += choices(range(bench_projects + 1, PROJECTS + 1), k=count - bench)
    days = choices(range(day_count), k=count)
    starts = choices(range(FIRST_START, LAST_START + 1, 5), k=count)
    durations = choices(range(MIN_DURATION, MAX_DURATION + 1, 5), k=count)
    picks = choices(range(60), k=count)  # 60 is divisible by team sizes 3, 4 and 5
    billable = [r < 0.9 for r in (rng.random() for _ in range(count))]
    tasks = choices(range(len(TASKS)), k=count)

    keys = [d * 1440 + s for d, s in zip(days, starts, strict=True)]
    order = sorted(range(count), key=keys.__getitem__)
    ents = Entries()
    ents.project = [projects[i] for i in order]
    ents.day = [days[i] for i in order]
    ents.start = [starts[i] for i in order]
    ents.duration = [durations[i] for i in order]
    ents.billable = [billable[i] for i in order]
    ents.task = [tasks[i] for i in order]
    ents.user = [
        teams[p][picks[i] % len(teams[p])] for p, i in zip(ents.project, order, strict=True)
    ]
    ents.item = [0] * count
    return ents


def _status(rng: random.Random, due: dt.date, today: dt.date) -> tuple[str, float]:
    """(status, share paid) for an invoice due on ``due``."""
    r = rng.random()
    if due >= today:  # not yet due
        if r < 0.2:
            return "draft", 0.0
        if r < 0.45:
            return "paid", 1.0
        if r < 0.55:
            return "sent", rng.uniform(0.3, 0.7)
        return "sent", 0.0
    if r < 0.80:
        return "paid", 1.0
    if r < 0.85:
        return "sent", 0.0  # overdue
    if r < 0.88:
        return "sent", rng.uniform(0.3, 0.7)  # overdue, partly paid
    if r < 0.92:
        return "draft", 0.0
    return "cancelled", 0.0


def _bill(
    rng: random.Random,
    ents: Entries,
    days: list[dt.date],
    today: dt.date,
    project_client: dict[int, int],
    project_rate: dict[int, int],
    client_tax: dict[int, int],
) -> tuple[list[tuple], list[tuple], list[tuple], list[tuple]]:
    """Invoices over runs of each project's billable entries; sets ``ents.item``."""
    cutoff = len(days)
    last_billable_day = today - dt.timedelta(days=UNBILLED_DAYS)
    while cutoff and days[cutoff - 1] > last_billable_day:
        cutoff -= 1
    by_project: dict[int, list[int]] = {}
    for i, (p, d, b) in enumerate(zip(ents.project, ents.day, ents.billable, strict=True)):
        if b and d < cutoff:
            by_project.setdefault(p, []).append(i)
    eligible = sum(len(v) for v in by_project.values())
    wanted = max(1, len(ents) // ENTRIES_PER_INVOICE)
    per_entry = wanted / eligible if eligible else 0.0

    # Each invoice: (project, [entry indexes]); count per project by stochastic rounding.
    drafts: list[tuple[int, list[int]]] = []
    for p in sorted(by_project):
        idx = by_project[p]
        expected = len(idx) * per_entry
        n = int(expected) + (rng.random() < expected - int(expected))
        if n == 0:
            continue
        cuts = sorted(rng.sample(range(1, len(idx)), n - 1)) if n > 1 else []
        bounds = [0, *cuts, len(idx)]
        for a, b in zip(bounds, bounds[1:], strict=False):
            drafts.append((p, idx[a:b]))

    # Issue date: a few days after the last billed entry; ids and numbers follow issue dates.
    dated = []
    for p, idx in drafts:
        last_day = days[ents.day[idx[-1]]]
        issue = min(last_day + dt.timedelta(days=rng.randint(1, 10)), today)
        dated.append((issue, p, idx))
    dated.sort(key=lambda t: (t[0], t[1]))

    invoices: list[tuple] = []
    items: list[tuple] = []
    payments: list[tuple] = []
    sequences: dict[int, int] = {}
    item_id = 0
    payment_id = 0
    for invoice_id, (issue, p, idx) in enumerate(dated, start=1):
        cid = project_client[p]
        due = issue + dt.timedelta(days=30)
        status, share = _status(rng, due, today)
        seq = sequences.get(issue.year, 0) + 1
        sequences[issue.year] = seq
        number = f"INV-{issue.year}-{seq:04d}"
        price = project_rate[p]

        by_task: dict[int, list[int]] = {}
        for i in idx:
            by_task.setdefault(ents.task[i], []).append(i)
        subtotal = 0
        for position, (task, task_idx) in enumerate(sorted(by_task.items())):
            item_id += 1
            seconds = sum(ents.duration[i] for i in task_idx) * 60
            # The product's rules (timetracker.billing): hours billed without a rounding step,
            # the line rounded half-up to the cent.
            quantity = rules.billed_hours(seconds, 0)
            amount_money = rules.line_amount(quantity, cents_to_decimal(price))
            amount = int(amount_money * 100)
            subtotal += amount
            items.append(
                (item_id, invoice_id, position, f"{WORDS[p % 16]} {p:04d}: {TASKS[task]}")
                + (quantity, cents_to_decimal(price))
                + (amount_money,)
            )
            if status != "cancelled":  # cancelling releases the entries
                for i in task_idx:
                    ents.item[i] = item_id
        rate = client_tax[cid]
        tax = int(rules.tax_for(cents_to_decimal(subtotal), Decimal(rate)) * 100)
        total = subtotal + tax

        issued_at = _at(issue, 9 * 60)
        paid_cents = 0
        paid_at = None
        if status == "paid":
            parts = [total] if rng.random() < 0.8 or total < 2 else _split(rng, total)
        elif share:
            parts = [max(1, min(total - 1, int(total * share)))]
        else:
            parts = []
        for k, part in enumerate(parts):
            payment_id += 1
            paid_on = min(issue + dt.timedelta(days=rng.randint(3, 40) + 10 * k), today)
            payments.append(
                (payment_id, invoice_id, cents_to_decimal(part), paid_on, "bank transfer")
                + (f"TRX-{payment_id:07d}", _at(paid_on, 10 * 60))
            )
            paid_cents += part
            paid_at = _at(paid_on, 10 * 60)
        assert (paid_cents == total) == (status == "paid")
        invoices.append(
            (invoice_id, number, cid, p, issue, due, status, "EUR", Decimal(rate))
            + (cents_to_decimal(subtotal), cents_to_decimal(tax), cents_to_decimal(total))
            + (cents_to_decimal(paid_cents), None)
            + (None if status == "draft" else issued_at, paid_at if status == "paid" else None)
            + (issued_at,)
        )
    return invoices, items, payments, sorted(sequences.items())


def _split(rng: random.Random, total: int) -> list[int]:
    first = rng.randint(1, total - 1)
    return [first, total - first]


def _facts(
    ents: Entries,
    days: list[dt.date],
    invoices: list[tuple],
    items: list[tuple],
    bench_projects: int,
    portal_id: int,
) -> dict[str, object]:
    bench_entries = [0] * (bench_projects + 1)
    for p in ents.project:
        if p <= bench_projects:
            bench_entries[p] += 1
    busiest = max(range(1, bench_projects + 1), key=bench_entries.__getitem__)
    items_per_invoice: dict[int, int] = {}
    for item in items:
        items_per_invoice[item[1]] = items_per_invoice.get(item[1], 0) + 1
    # The benchmark client's invoice to open: a sent or paid one with the most lines.
    visible = [inv for inv in invoices if inv[2] == BENCH_CLIENT_ID and inv[6] in ("sent", "paid")]
    detail = max(visible, key=lambda inv: (items_per_invoice.get(inv[0], 0), inv[0]))
    # A full calendar month in the middle of the history.
    middle = days[len(days) // 2]
    month_start = middle.replace(day=1)
    month_end = (month_start + dt.timedelta(days=32)).replace(day=1) - dt.timedelta(days=1)
    return {
        "portal_user_id": portal_id,
        "portal_email": PORTAL_EMAIL,
        "portal_emails": portal_emails(),
        "staff_emails": staff_emails(),
        "admin_email": ADMIN_EMAIL,
        # The last calendar year the history covers in full (the reports' year).
        "last_full_year": days[-1].year - 1,
        "bench_client_id": BENCH_CLIENT_ID,
        "bench_entries": sum(bench_entries),
        "bench_invoices": sum(1 for inv in invoices if inv[2] == BENCH_CLIENT_ID),
        "project_id": busiest,
        "project_entries": bench_entries[busiest],
        "invoice_id": detail[0],
        "invoice_items": items_per_invoice.get(detail[0], 0),
        "month_from": month_start.isoformat(),
        "month_to": month_end.isoformat(),
        "entries": len(ents),
        "invoices": len(invoices),
        "invoice_items_total": len(items),
    }
