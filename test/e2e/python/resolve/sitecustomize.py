"""Tests only: answers the names of SPARKPLANE_TEST_RESOLVE ("host:port=ip:port,...") with the given
loopback address and port, as the cluster's CoreDNS rewrite and the ingress controller's Service
would, with no /etc/hosts edit and no change to the client. Put on PYTHONPATH, it is imported at
start-up by every Python process of the test; the client still verifies the certificate for the
name it asked for."""

import os
import socket

_targets = {}
for _rule in filter(None, os.environ.get("SPARKPLANE_TEST_RESOLVE", "").split(",")):
    _name, _, _target = _rule.partition("=")
    _host, _, _port = _name.rpartition(":")
    _ip, _, _to = _target.rpartition(":")
    _targets[(_host, _port)] = (_ip, int(_to))

if _targets:
    _getaddrinfo = socket.getaddrinfo

    def _resolve(host, port, *args, **kwargs):
        target = _targets.get((host, str(port)))
        return _getaddrinfo(*target, *args, **kwargs) if target else _getaddrinfo(host, port, *args, **kwargs)

    socket.getaddrinfo = _resolve
