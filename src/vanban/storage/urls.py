from django.urls import URLPattern, path

app_name = "storage"
urlpatterns: list[URLPattern] = []
