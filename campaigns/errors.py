from pingcheng.errors import DomainError


class CampaignActionRefused(DomainError):
    """A campaign step the user may not take now; its message is shown to them as is."""
