from django.urls import path

from vanban.registry import views

app_name = "registry"
urlpatterns = [
    path("", views.document_list, name="document_list"),
    path("new/", views.document_create, name="document_create"),
    path("<int:pk>/", views.document_detail, name="document_detail"),
    path("<int:pk>/edit/", views.document_edit, name="document_edit"),
    path("<int:pk>/upload/", views.document_upload, name="document_upload"),
    path("<int:pk>/register/", views.document_register, name="document_register"),
    path("<int:pk>/sign/", views.document_sign, name="document_sign"),
    path("<int:pk>/ready/", views.document_mark_ready, name="document_mark_ready"),
    path("<int:pk>/submit/", views.document_submit, name="document_submit"),
    path("<int:pk>/approve/", views.document_approve, name="document_approve"),
    path("<int:pk>/return/", views.document_return, name="document_return"),
    path("<int:pk>/note/", views.document_note, name="document_note"),
    path("approvals/", views.approval_queue, name="approval_queue"),
    path("<int:pk>/cancel/", views.document_cancel, name="document_cancel"),
    path("<int:pk>/files/<int:file_id>/", views.file_download, name="file_download"),
    path("<int:pk>/files/<int:file_id>/pages/<int:page>.png", views.file_page, name="file_page"),
    path("<int:pk>/dispatch-list.pdf", views.dispatch_list_pdf, name="dispatch_list_pdf"),
    path("registers/", views.register_view, name="register_view"),
    path("registers/<int:year>/", views.register_view, name="register_year"),
    path("registers/<int:year>/<str:series>.pdf", views.register_pdf, name="register_pdf"),
]
