"""The citizen portal: the public part of the site, no staff menu, no login."""
