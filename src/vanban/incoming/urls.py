"""Pages of the incoming app (``/incoming/``)."""

from django.urls import URLPattern, path

from vanban.incoming import views

app_name = "incoming"
urlpatterns: list[URLPattern] = [
    path("", views.inbox, name="inbox"),
    path("delivery/<uuid:uid>/", views.delivery, name="delivery"),
    path("delivery/<uuid:uid>/file/", views.delivery_file, name="delivery_file"),
    path("delivery/<uuid:uid>/pages/<int:page>.png", views.delivery_page, name="delivery_page"),
    path("delivery/<uuid:uid>/register/", views.register, name="register"),
    path("delivery/<uuid:uid>/reject/", views.reject, name="reject"),
    path("paper/", views.paper, name="paper"),
    path("register/", views.register_list, name="register_list"),
    path("register/pdf/", views.register_pdf, name="register_pdf"),
    path("entry/<int:pk>/", views.entry, name="entry"),
    path("entry/<int:pk>/file/", views.entry_file, name="entry_file"),
    path("entry/<int:pk>/pages/<int:page>.png", views.entry_page, name="entry_page"),
]
