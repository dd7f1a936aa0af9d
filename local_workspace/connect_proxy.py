"""The local workspace's Spark Connect endpoint: what serverless compute is to a Databricks workspace.

Stages, job tasks and `spark-pipelines` connect with `SparkSession.builder.remote(url)` (or
SPARK_REMOTE=url) and get a session of the workspace's own Spark (spark.py), the one that answers
its SQL statements (sql_engine.py), so a table one of them writes is the table the others read.

Between them stands this proxy, because a workspace names tables `catalog.schema.table` and local
Spark cannot (uc_names.py): each plan a client sends is decoded with Spark Connect's own protobuf
types, its table names, SQL text and name-valued parameters are rewritten to the local databases,
`/Volumes/...` paths become the workspace's volume folder (as the FUSE mount does on Databricks),
and it is passed on. Every other call, and every answer, goes through byte for byte; an error keeps
its status details, from which the client raises the same exception as against a workspace.
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from concurrent import futures

from .uc_names import Names, names_a_table

SERVICE = "spark.connect.SparkConnectService"
# (method, request type name or None for bytes passed through, streaming request, streaming answer)
METHODS = {
    "ExecutePlan": ("ExecutePlanRequest", False, True),
    "AnalyzePlan": ("AnalyzePlanRequest", False, False),
    "Config": (None, False, False),
    "AddArtifacts": (None, True, False),
    "ArtifactStatus": (None, False, False),
    "Interrupt": (None, False, False),
    "ReattachExecute": (None, False, True),
    "ReleaseExecute": (None, False, False),
    "ReleaseSession": (None, False, False),
    "FetchErrorDetails": (None, False, False),
    "CloneSession": (None, False, False),
    "GetStatus": (None, False, False),
}
# string fields that hold a table, view, schema or function name
NAME_FIELDS = {"table_name", "output_name", "target_dataset_name", "target_table_name", "function_name",
               "db_name", "view_name", "flow_name"}
SQL_FIELDS = {"query", "sql", "sql_text"}
PATH_FIELDS = {"path", "paths"}
# messages whose `unparsed_identifier` is a table (UnresolvedAttribute's is a column)
TABLE_READS = {"spark.connect.Read.NamedTable", "spark.connect.RelationChanges"}
SQL_MESSAGES = {"spark.connect.SQL", "spark.connect.SqlCommand"}


def _statement(msg) -> str:
    """The SQL text of a SQL relation (`query`) or command (`sql`)."""
    return msg.query if msg.DESCRIPTOR.name == "SQL" else msg.sql


class Rewriter:
    """`volumes(path)` is the file on disk of a `/Volumes/...` path (KeyError for one that would leave
    the volumes' folder, which is then passed on as written and names nothing here)."""

    def __init__(self, names: Names, volumes: Callable[[str], object]):
        self.names = names
        self.volumes = volumes

    def path(self, value: str) -> str:
        for scheme in ("dbfs:/Volumes/", "/Volumes/"):
            if value.startswith(scheme):
                try:
                    return str(self.volumes("/Volumes/" + value[len(scheme):]))
                except KeyError:
                    return value
        return value

    def message(self, msg) -> None:
        """Rewrite `msg` in place, and every message inside it."""
        from google.protobuf.descriptor import FieldDescriptor as F

        kind = msg.DESCRIPTOR.full_name
        if kind == "spark.connect.PipelineCommand.CreateDataflowGraph" and msg.default_catalog.lower() in self.names.catalogs():
            msg.default_database = self.names.database(msg.default_catalog, msg.default_database or "default")
            msg.default_catalog = "spark_catalog"
        for field, value in msg.ListFields():
            if field.type == F.TYPE_MESSAGE:
                if field.message_type.GetOptions().map_entry:
                    self._map(kind, field, value, _statement(msg) if kind in SQL_MESSAGES else "")
                elif field.is_repeated:
                    for item in value:
                        self._item(kind, field.name, item)
                else:
                    self._item(kind, field.name, value)
            elif field.type == F.TYPE_STRING:
                self._string(msg, kind, field, value)

    def _item(self, kind: str, field: str, item) -> None:
        self.message(item)  # positional parameters are values: only a named one can be an IDENTIFIER's

    def _map(self, kind: str, field, entries, sql: str = "") -> None:
        if field.name == "options":  # a data source's options: its path, a checkpoint, a schema location
            for key in list(entries):
                entries[key] = self.path(entries[key])
            return
        if field.message_type.fields_by_name["value"].message_type is None:
            return
        for key in list(entries):
            if kind in SQL_MESSAGES and field.name in ("args", "named_arguments") and names_a_table(sql, key):
                self._argument(entries[key])
            self.message(entries[key])

    def _argument(self, value) -> None:
        """A bound SQL parameter (a Literal, or an Expression holding one) that names a table."""
        literal = value.literal if value.DESCRIPTOR.name == "Expression" else value
        if literal.WhichOneof("literal_type") == "string":
            literal.string = self.names.argument(literal.string)

    def _string(self, msg, kind: str, field, value) -> None:
        name = field.name
        if name in NAME_FIELDS or (name == "unparsed_identifier" and kind in TABLE_READS):
            change = self.names.identifier
        elif name in SQL_FIELDS:
            change = self.names.sql
        elif name in PATH_FIELDS:
            change = self.path
        else:
            return
        if field.is_repeated:
            value[:] = [change(v) for v in value]
        else:
            setattr(msg, name, change(value))


class ConnectProxy:
    """A gRPC server on `port` (0: a free one) in front of the Spark Connect server at `upstream()`
    (host:port, called at the first request, so Spark starts only when a client needs it)."""

    def __init__(self, names: Names, upstream: Callable[[], str], volumes: Callable[[], str | None],
                 host: str = "127.0.0.1", port: int = 0):
        import grpc

        self.rewriter = Rewriter(names, volumes)
        self._upstream = upstream
        self._channel = None
        self._lock = threading.Lock()
        self.server = grpc.server(futures.ThreadPoolExecutor(max_workers=64),
                                  options=[("grpc.max_receive_message_length", 128 * 1024 * 1024)])
        self.server.add_generic_rpc_handlers([grpc.method_handlers_generic_handler(SERVICE, self._handlers())])
        self.port = self.server.add_insecure_port(f"{host}:{port}")
        self.host = host

    @property
    def url(self) -> str:
        return f"sc://{self.host}:{self.port}"

    def start(self) -> "ConnectProxy":
        self.server.start()
        return self

    def stop(self) -> None:
        self.server.stop(grace=None)
        if self._channel is not None:
            self._channel.close()

    def channel(self):
        import grpc

        with self._lock:
            if self._channel is None:
                self._channel = grpc.insecure_channel(
                    self._upstream(), options=[("grpc.max_receive_message_length", 128 * 1024 * 1024)])
            return self._channel

    def _handlers(self) -> dict:
        import grpc

        handlers = {}
        for method, (request_type, stream_in, stream_out) in METHODS.items():
            if stream_in:
                handlers[method] = grpc.stream_unary_rpc_method_handler(self._pass(method, stream_in, stream_out))
            elif stream_out:
                handlers[method] = grpc.unary_stream_rpc_method_handler(self._pass(method, stream_in, stream_out, request_type))
            else:
                handlers[method] = grpc.unary_unary_rpc_method_handler(self._pass(method, stream_in, stream_out, request_type))
        return handlers

    def _pass(self, method: str, stream_in: bool, stream_out: bool, request_type: str | None = None):
        path = f"/{SERVICE}/{method}"

        def call(request, context):
            if request_type is not None:
                request = self._rewrite(request_type, request)
            channel = self.channel()
            metadata = [(k, v) for k, v in context.invocation_metadata() if not k.startswith(":")]
            if stream_in:
                invoke = channel.stream_unary(path)
            elif stream_out:
                invoke = channel.unary_stream(path)
            else:
                invoke = channel.unary_unary(path)
            try:
                if stream_out:
                    responses = invoke(request, metadata=metadata)
                    context.add_callback(responses.cancel)  # a client gone: its query stops upstream too
                    yield from responses
                    return
                yield invoke(request, metadata=metadata)
            except Exception as err:  # a grpc.RpcError: the same status, details and trailers to the client
                if not hasattr(err, "code"):
                    raise
                context.set_trailing_metadata(err.trailing_metadata() or ())
                context.abort(err.code(), err.details() or "")

        if stream_out:
            return call

        def unary(request, context):
            return next(call(request, context))

        return unary

    def _rewrite(self, request_type: str, data: bytes) -> bytes:
        from pyspark.sql.connect.proto import base_pb2

        request = getattr(base_pb2, request_type).FromString(data)
        self.rewriter.message(request)
        return request.SerializeToString()
