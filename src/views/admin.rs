//! Page structs of the admin UI (issue 5).
