"""Points ocean_spark's hooks at sparkplane, per connection, without touching the provider's files.

The provider builds its endpoints from module constants at import time and no connection field
changes them, so the three places that turn a constant into a request or a link are wrapped: the
REST hook's ``_do_api_call`` (every submit, poll, kill, log and connection test goes through it),
both hooks' ``get_app_page_url`` (the console link the operator logs and pushes to XCom), and the
Connect hook's websocket URL. A connection with no sparkplane address keeps the hosted product.
The Connect hook's channel also waits until it connects before pyspark uses it (channel.py says why).

The Connect operator pushes no console link at all, so its ``execute`` is wrapped to push one, as
OceanSparkOperator does, before the query runs (a failed query still links to its session).
"""

from __future__ import annotations

import contextvars
import functools
from typing import Any, Callable, Optional

from sparkplane_ocean_compat.address import api_url, connect_url, dashboard_url, sparkplane_url
from sparkplane_ocean_compat.channel import wait_until_ready

# the sparkplane base of the Connect hook call in progress (its Proxy is built inside execute())
_connect_base: contextvars.ContextVar[Optional[str]] = contextvars.ContextVar("sparkplane_connect_base", default=None)
_MARK = "__sparkplane_rebased__"


def _base_of(hook: Any) -> Optional[str]:
    return sparkplane_url(hook.conn.extra_dejson)


def _once(original: Callable[..., Any], wrapper: Callable[..., Any]) -> Callable[..., Any]:
    functools.update_wrapper(wrapper, original)
    setattr(wrapper, _MARK, True)
    return wrapper


def _wrap_rest_hook(cls: Any) -> None:
    call = cls._do_api_call
    if getattr(call, _MARK, False):
        return

    def _do_api_call(self: Any, method: Callable[..., Any], endpoint: str, payload: Any) -> Any:
        base = _base_of(self)
        return call(self, method, api_url(endpoint, base) if base else endpoint, payload)

    cls._do_api_call = _once(call, _do_api_call)
    _wrap_page_url(cls, lambda self, app_id: app_id)


def _wrap_page_url(cls: Any, app_id_of: Callable[..., str]) -> None:
    page = cls.get_app_page_url

    def get_app_page_url(self: Any, *args: Any) -> str:
        base = _base_of(self)
        return dashboard_url(base, app_id_of(self, *args)) if base else page(self, *args)

    cls.get_app_page_url = _once(page, get_app_page_url)


def _wrap_connect_hook(module: Any) -> None:
    cls = module.OceanSparkConnectHook
    execute = cls.execute
    if getattr(execute, _MARK, False):
        return
    join = module.urljoin

    def execute_on_sparkplane(self: Any, sql: str) -> Any:
        token = _connect_base.set(_base_of(self))
        try:
            return execute(self, sql)
        finally:
            _connect_base.reset(token)

    def connect_urljoin(base: str, url: str) -> str:
        # the websocket URL execute() builds, logs and hands to its Proxy, rebased before all three
        joined = join(base, url)
        sparkplane = _connect_base.get()
        return connect_url(joined, sparkplane) if sparkplane else joined

    cls.execute = _once(execute, execute_on_sparkplane)
    # execute() looks urljoin up in its module's globals when it runs
    module.urljoin = connect_urljoin
    _wrap_page_url(cls, lambda self: self.app_id)
    _wrap_channel_builder(module.OceanChannelBuilder)


def _wrap_channel_builder(cls: Any) -> None:
    to_channel = cls.toChannel

    def toChannel(self: Any) -> Any:
        channel = to_channel(self)
        wait_until_ready(channel, self._bind_address)
        return channel

    cls.toChannel = _once(to_channel, toChannel)


def _wrap_connect_operator(module: Any) -> None:
    cls = module.OceanSparkConnectOperator
    execute = cls.execute
    if getattr(execute, _MARK, False):
        return

    # Airflow 2.10 calls execute with its ExecutorSafeguard's sentinel keyword: passed on untouched
    def execute_with_link(self: Any, context: Any, **kwargs: Any) -> Any:
        if self.do_xcom_push:
            url = self.get_application_overview_url()
            context["ti"].xcom_push(key=module.XCOM_APP_ID_KEY, value=self.hook.app_id)
            context["ti"].xcom_push(key=module.XCOM_APP_PAGE_URL_KEY, value=url)
            self.log.info("View app details at %s", url)
        return execute(self, context, **kwargs)

    cls.execute = _once(execute, execute_with_link)


def apply() -> None:
    """Wraps the provider's hooks (idempotent); a provider without Spark Connect keeps its REST hook."""
    from ocean_spark import hooks

    _wrap_rest_hook(hooks.OceanSparkHook)
    try:
        from ocean_spark.connect import hook as connect_hook
        from ocean_spark.connect import operator as connect_operator
    except ImportError:  # Airflow < 2.6.2 or no pyspark: the provider has no Connect hook either
        return
    _wrap_connect_hook(connect_hook)
    _wrap_connect_operator(connect_operator)
