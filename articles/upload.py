from django.http import JsonResponse
from django.views.decorators.http import require_POST


@require_POST
def photo_upload(request):
    return JsonResponse({"error": {"message": "未实现"}}, status=501)
