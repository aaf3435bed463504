"""The people-side tables live in the index (`index/access_models.py`); their names stay here too."""

from ..index.access_models import (AccessLogAnchor, AccessLogRow, ApiTokenRow, LoginFailureRow,  # noqa: F401
                                   SessionRow, SubstitutionRow, TeamRow, UserRow)
