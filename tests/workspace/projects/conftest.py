"""The project pages' tests share the status-update world of the portal's project tests: two
clients with updates, shared and internal notes, and signed-in staff, admin and contacts."""

from tests.portal.conftest import as_admin, as_alpha, as_staff, world

__all__ = ["as_admin", "as_alpha", "as_staff", "world"]
