import random
import unicodedata

from django.core.management.base import BaseCommand, CommandError

from accounts.management.workspaces import workspace_named
from contacts.catalogue import LEAD_SOURCES, MAX_BEHAVIOUR_SCORE, STATES
from contacts.models import Contact
from contacts.services import contacts_upsert

FIRST_NAMES = [
    "Ada", "Alice", "Amélie", "Antoine", "Camille", "Chloé", "Claire", "David", "Élodie",
    "Emma", "Étienne", "François", "Gabriel", "Hugo", "Inès", "Jade", "Jules", "Julien",
    "Léa", "Louis", "Lucas", "Manon", "Marie", "Mathieu", "Nathalie", "Nicolas", "Olivier",
    "Pauline", "Pierre", "Raphaël", "Sarah", "Sophie", "Thomas", "Valentin", "Zoé",
    "James", "Olivia", "Noah", "Mia", "Liam", "Sofia", "Lukas", "Hannah", "Marco", "Giulia",
]  # fmt: skip
LAST_NAMES = [
    "Martin", "Bernard", "Dubois", "Thomas", "Robert", "Richard", "Petit", "Durand",
    "Leroy", "Moreau", "Simon", "Laurent", "Lefèvre", "Michel", "Garcia", "David",
    "Bertrand", "Roux", "Vincent", "Fournier", "Morel", "Girard", "André", "Mercier",
    "Dupont", "Lambert", "Bonnet", "François", "Martinez", "Smith", "Johnson", "Müller",
    "Schmidt", "Rossi", "Russo", "García", "López", "Novak", "Jansen", "O'Brien",
]  # fmt: skip
COMPANIES = [
    ("Acier Lumière", "acier-lumiere.fr"), ("Boulangerie Numérique", "boulnum.fr"),
    ("Cobalt Logistics", "cobalt-logistics.com"), ("Datavera", "datavera.io"),
    ("Ecoflux Énergie", "ecoflux.fr"), ("Fjord Analytics", "fjord-analytics.eu"),
    ("Granit Conseil", "granit-conseil.fr"), ("Helios Médical", "helios-medical.com"),
    ("Isotope Labs", "isotopelabs.com"), ("Jardin Urbain", "jardinurbain.fr"),
    ("Kestrel Software", "kestrel.dev"), ("Lumen Assurances", "lumen-assurances.fr"),
    ("Meridian Foods", "meridianfoods.co.uk"), ("Nordwind Maschinenbau", "nordwind.de"),
    ("Orbital Print", "orbitalprint.com"), ("Pixel & Plume", "pixelplume.fr"),
    ("Quartz Finance", "quartz-finance.com"), ("Rivage Hôtels", "rivage-hotels.fr"),
    ("Solaris Textiles", "solaris-textiles.it"), ("Tessera Cloud", "tessera.cloud"),
]  # fmt: skip
JOB_TITLES = [
    "Marketing Manager", "Head of Marketing", "CMO", "Sales Director", "Account Executive",
    "Business Developer", "CEO", "Founder", "Product Manager", "Growth Marketer",
    "Content Manager", "Communication Officer", "Procurement Manager", "CTO", "Office Manager",
]  # fmt: skip
CITIES = [
    ("Paris", "France"), ("Lyon", "France"), ("Nantes", "France"), ("Lille", "France"),
    ("Bordeaux", "France"), ("Brussels", "Belgium"), ("Geneva", "Switzerland"),
    ("London", "United Kingdom"), ("Berlin", "Germany"), ("Milan", "Italy"),
    ("Madrid", "Spain"), ("Amsterdam", "Netherlands"),
]  # fmt: skip
# Most contacts are early in the funnel, as in a real database.
STATE_WEIGHTS = [30, 25, 20, 10, 7, 4, 4]


class Command(BaseCommand):
    help = (
        "Create deterministic demo contacts in a workspace. Skips a workspace that already "
        "has contacts unless --force."
    )

    def add_arguments(self, parser):
        parser.add_argument("slug", help="The workspace's slug.")
        parser.add_argument("--count", type=int, default=300)
        parser.add_argument("--seed", type=int, default=1, help="Same seed, same contacts.")
        parser.add_argument(
            "--force", action="store_true", help="Seed even if the workspace has contacts."
        )

    def handle(self, slug, count, seed, force, **options):
        if count < 1:
            raise CommandError("--count must be at least 1.")
        workspace = workspace_named(slug)
        existing = Contact.objects.for_workspace(workspace).count()
        if existing and not force:
            self.stdout.write(
                f"Workspace {slug!r} already has {existing} contacts: nothing seeded "
                "(use --force to add the demo contacts anyway)."
            )
            return
        rows = enumerate(demo_contacts(count, seed=seed), start=1)
        report = contacts_upsert(workspace=workspace, rows=rows)
        self.stdout.write(f"Seeded demo contacts in {slug!r}: {report.summary()}")


def demo_contacts(count: int, *, seed: int) -> list[dict]:
    """`count` plausible contacts, the same ones for the same seed."""
    rng = random.Random(seed)
    return [_demo_contact(rng, number) for number in range(1, count + 1)]


def _demo_contact(rng: random.Random, number: int) -> dict:
    first, last = rng.choice(FIRST_NAMES), rng.choice(LAST_NAMES)
    company, domain = rng.choice(COMPANIES)
    city, country = rng.choice(CITIES)
    state = rng.choices(STATES, weights=STATE_WEIGHTS)[0]
    return {
        # The number keeps emails unique however the names collide.
        "email": f"{_ascii(first)}.{_ascii(last)}.{number}@{domain}",
        "first_name": first,
        "last_name": last,
        "company": company,
        "job_title": rng.choice(JOB_TITLES),
        "phone": f"+33 1 {rng.randint(10, 99)} {rng.randint(10, 99)} {rng.randint(10, 99)} "
        f"{rng.randint(10, 99)}",
        "website": f"https://www.{domain}",
        "city": city,
        "country": country,
        "lead_source": rng.choice(LEAD_SOURCES),
        "email_opt_out": "yes" if rng.random() < 0.05 else "no",
        "behaviour_score": str(_score(rng, state)),
        "state": state,
    }


def _score(rng: random.Random, state: str) -> int:
    """Contacts further along the funnel have engaged more."""
    floor = STATES.index(state) * 5
    return min(MAX_BEHAVIOUR_SCORE, floor + rng.randint(0, 20))


def _ascii(name: str) -> str:
    plain = unicodedata.normalize("NFKD", name).encode("ascii", "ignore").decode()
    return "".join(c for c in plain.lower() if c.isalnum())
