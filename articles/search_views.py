from django.http import HttpResponse


def search(request):
    return HttpResponse("搜索建设中")
