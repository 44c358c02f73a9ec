"""Every write the app makes, as plain functions named ``<thing>_<action>``."""
