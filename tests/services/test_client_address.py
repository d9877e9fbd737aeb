"""Which address the per-address login limit counts: X-Forwarded-For only from a trusted proxy."""

from services.accounts import client_address


def test_without_trusted_proxies_the_header_is_ignored():
    assert client_address("203.0.113.7", "10.9.9.9") == "203.0.113.7"
    assert client_address(None, None, trusted_proxies="") == "127.0.0.1"


def test_a_trusted_proxy_passes_on_the_client_it_saw():
    assert client_address("10.0.0.2", "203.0.113.7", trusted_proxies="10.0.0.0/8") == "203.0.113.7"
    # A client's own forged entry sits left of what the proxy added: it is not believed.
    assert client_address("10.0.0.2", "1.2.3.4, 203.0.113.7", trusted_proxies="10.0.0.0/8") == "203.0.113.7"
    # Two proxies in a row, both trusted: the first address from the right that is no proxy.
    assert client_address(None, "203.0.113.7, 10.0.0.5", trusted_proxies="127.0.0.1,10.0.0.0/8") == "203.0.113.7"


def test_a_header_from_an_untrusted_peer_is_ignored():
    assert client_address("198.51.100.2", "203.0.113.7", trusted_proxies="10.0.0.0/8") == "198.51.100.2"
