"""Imports every domain's models so that ``Base.metadata`` is complete (Alembic, create_all)."""

from estation.accounts import models as accounts  # noqa: F401 - registers its tables
from estation.cases import models as cases  # noqa: F401 - registers its tables
from estation.db import Base
from estation.feedback import models as feedback  # noqa: F401 - registers its tables
from estation.imports import models as imports  # noqa: F401 - registers its tables
from estation.jobs import models as jobs  # noqa: F401 - registers its tables
from estation.kiosk import models as kiosk  # noqa: F401 - registers its tables
from estation.labour import models as labour  # noqa: F401 - registers its tables
from estation.ledger import models as ledger  # noqa: F401 - registers its tables
from estation.matching import models as matching  # noqa: F401 - registers its tables
from estation.notifications import models as notifications  # noqa: F401 - registers its tables
from estation.ratings import models as ratings  # noqa: F401 - registers its tables
from estation.notices import models as notices  # noqa: F401 - registers its tables
from estation.volunteers import models as volunteers  # noqa: F401 - registers its tables
from estation import outbox  # noqa: F401 - registers its tables
from estation import references  # noqa: F401 - registers its tables
from estation import submissions  # noqa: F401 - registers its tables

metadata = Base.metadata
