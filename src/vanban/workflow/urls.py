"""Pages of the workflow app (under ``/work/``)."""

from django.urls import URLPattern, path

from vanban.workflow import views

app_name = "workflow"
urlpatterns: list[URLPattern] = [
    path("", views.my_tasks, name="my_tasks"),
    path("overdue/", views.overdue, name="overdue"),
    path("documents/", views.queue, name="queue"),
    path("unassigned/", views.unassigned, name="unassigned"),
    path("incoming/<int:pk>/", views.document, name="document"),
    path("incoming/<int:pk>/assign/", views.assign, name="assign"),
    path("incoming/<int:pk>/reassign/", views.reassign, name="reassign"),
    path("incoming/<int:pk>/opinions/", views.opinion, name="opinion"),
    path("incoming/<int:pk>/start/", views.start, name="start"),
    path("incoming/<int:pk>/complete/", views.complete, name="complete"),
    path("incoming/<int:pk>/slip.pdf", views.slip, name="slip"),
    path("incoming/<int:pk>/file/", views.document_file_add, name="document_file_add"),
    path("lines/<int:pk>/forward/", views.forward, name="forward"),
    path("lines/<int:pk>/done/", views.line_done, name="line_done"),
    path("files/", views.work_files, name="work_files"),
    path("files/<int:pk>/", views.work_file, name="work_file"),
    path("files/<int:pk>/edit/", views.work_file_edit, name="work_file_edit"),
    path("files/<int:pk>/add/", views.work_file_add, name="work_file_add"),
    path("files/<int:pk>/items/<int:item_pk>/remove/", views.work_file_remove,
         name="work_file_remove"),
    path("files/<int:pk>/close/", views.work_file_close, name="work_file_close"),
    path("calendar/", views.calendar_page, name="calendar"),
]
