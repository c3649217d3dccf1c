from django.urls import URLPattern, path

app_name = "accounts"
urlpatterns: list[URLPattern] = []
