from pingcheng.errors import DomainError


class InquiryActionRefused(DomainError):
    """An inquiry step the user may not take now; its message is shown to them as is."""
