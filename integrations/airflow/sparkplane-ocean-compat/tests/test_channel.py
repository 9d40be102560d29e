"""The Connect hook's channel waits for its relay to listen: the first call no longer fails fast."""

import os
import tempfile
import threading
from concurrent import futures

import grpc
import pytest

from sparkplane_ocean_compat import apply
from sparkplane_ocean_compat.channel import wait_until_ready

ECHO = "/sparkplane.test.Echo/Call"


def builder_on(path):
    from ocean_spark.connect.hook import OceanChannelBuilder

    # what the hook's builder needs of itself for a unix socket: its address (pyspark's own
    # __init__ differs between 3.5 and 4, and toChannel does not read it there)
    builder = OceanChannelBuilder.__new__(OceanChannelBuilder)
    builder._bind_address = path
    return builder


@pytest.fixture
def socket_path():
    with tempfile.TemporaryDirectory() as folder:
        yield os.path.join(folder, "relay.sock")


def listen_later(path, seconds):
    """An echo gRPC server on the unix socket `path`, listening `seconds` from now (the relay's start)."""
    server = grpc.server(futures.ThreadPoolExecutor(max_workers=1))
    handler = grpc.unary_unary_rpc_method_handler(lambda request, context: request)
    server.add_generic_rpc_handlers([grpc.method_handlers_generic_handler("sparkplane.test.Echo", {"Call": handler})])

    def listen():
        # gRPC listens on a port as soon as it is added: the socket appears only now
        server.add_insecure_port(f"unix:{path}")
        server.start()

    timer = threading.Timer(seconds, listen)
    timer.start()
    return server, timer


def test_without_the_wait_a_first_call_before_the_relay_listens_fails_fast(socket_path):
    apply()
    server, timer = listen_later(socket_path, 1.0)
    try:
        from ocean_spark.connect.hook import OceanChannelBuilder

        channel = OceanChannelBuilder.toChannel.__wrapped__(builder_on(socket_path))
        with pytest.raises(grpc.RpcError) as failed:
            channel.unary_unary(ECHO)(b"first", timeout=10)
        assert failed.value.code() == grpc.StatusCode.UNAVAILABLE
    finally:
        timer.join()
        server.stop(None)


def test_the_hooks_channel_is_ready_before_its_first_call(socket_path):
    apply()
    server, timer = listen_later(socket_path, 1.0)
    try:
        channel = builder_on(socket_path).toChannel()
        assert channel.unary_unary(ECHO)(b"first", timeout=10) == b"first"
    finally:
        timer.join()
        server.stop(None)


def test_a_relay_that_never_listens_is_a_clear_error(socket_path):
    channel = grpc.insecure_channel(f"unix:{socket_path}")
    with pytest.raises(ConnectionError, match=f"channel to {socket_path} did not connect within 0.5 s"):
        wait_until_ready(channel, socket_path, seconds=0.5)
