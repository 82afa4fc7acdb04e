# The dashboard's exposure: beyond loopback it refuses to start (exit 2)
# without both a credential and TLS; with them, HTTPS works with a
# certificate made here, a request without the credential (or with a wrong
# one) is 401, basic and bearer credentials are 200, plain HTTP gets no
# answer, anything but GET and HEAD is 405, every answer carries the
# security headers, and live clients are capped.
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

it_setup
dashboard="$SUCCESSION_BIN/succession-dashboard"
port=$(free_port)
health=$(free_port)

refused() { # refused WHAT ARGS...: exits 2 with the reason, before serving
    local what=$1 rc=0 out
    shift
    out=$("$dashboard" --dashboard-port "$port" "$@" 2>&1) || rc=$?
    assert_eq "$what: exit status" 2 "$rc"
    [[ $out == *"beyond loopback"* || $out == *"go together"* ]] || fail "$what: no reason given: $out"
}
printf 'analyst:correct horse\n' >"$IT_DIR/auth"
chmod 600 "$IT_DIR/auth"
openssl req -x509 -newkey rsa:2048 -nodes -days 1 -subj /CN=127.0.0.1 \
    -addext subjectAltName=IP:127.0.0.1 -keyout "$IT_DIR/key.pem" -out "$IT_DIR/cert.pem" 2>/dev/null
refused "beyond loopback, nothing" --dashboard-address 0.0.0.0
refused "beyond loopback, no TLS" --dashboard-address 0.0.0.0 --dashboard-auth-file "$IT_DIR/auth"
refused "beyond loopback, no credential" --dashboard-address 0.0.0.0 \
    --dashboard-tls-cert "$IT_DIR/cert.pem" --dashboard-tls-key "$IT_DIR/key.pem"
refused "a certificate without its key" --dashboard-tls-cert "$IT_DIR/cert.pem"

start_service succession-dashboard --dashboard-address 0.0.0.0 --dashboard-port "$port" \
    --dashboard-auth-file "$IT_DIR/auth" --dashboard-tls-cert "$IT_DIR/cert.pem" \
    --dashboard-tls-key "$IT_DIR/key.pem" --dashboard-max-clients 1 --http-port "$health"
url="https://127.0.0.1:$port"
for _ in $(seq 1 50); do
    [[ $(curl -s -o /dev/null -w '%{http_code}' "http://127.0.0.1:$health/readyz") == 200 ]] && break
    sleep 0.2
done

status() { curl -s -o /dev/null -w '%{http_code}' --cacert "$IT_DIR/cert.pem" "$@"; }
assert_eq "no credential" 401 "$(status "$url/api/posts")"
assert_eq "no credential, the page" 401 "$(status "$url/")"
assert_eq "a wrong password" 401 "$(status -u 'analyst:wrong' "$url/api/posts")"
assert_eq "basic authentication" 200 "$(status -u 'analyst:correct horse' "$url/api/posts")"
assert_eq "a bearer token" 200 "$(status -H 'Authorization: Bearer analyst:correct horse' "$url/api/summary")"
assert_eq "the page" 200 "$(status -u 'analyst:correct horse' "$url/")"
assert_eq "HEAD" 200 "$(status -I -u 'analyst:correct horse' "$url/api/alerts")"
for method in POST PUT DELETE PATCH; do
    assert_eq "$method" 405 "$(status -X "$method" -d x -u 'analyst:correct horse' "$url/api/posts")"
done
assert_eq "an unknown post" 404 "$(status -u 'analyst:correct horse' "$url/api/posts/nothing")"
assert_eq "a bad sort" 400 "$(status -u 'analyst:correct horse' "$url/api/posts?sort=random")"
[[ $(curl -s -o /dev/null -w '%{http_code}' "http://127.0.0.1:$port/api/posts") != 200 ]] ||
    fail "plain HTTP was answered on the HTTPS port"

headers=$(curl -s -D - -o /dev/null --cacert "$IT_DIR/cert.pem" "$url/" | tr -d '\r')
for want in "Content-Security-Policy: default-src 'none'; script-src 'self'; style-src 'self'" \
    "frame-ancestors 'none'" "X-Content-Type-Options: nosniff" "Referrer-Policy: no-referrer" \
    "Strict-Transport-Security: max-age=" 'WWW-Authenticate: Basic realm="Succession watch"'; do
    grep -qF -- "$want" <<<"$headers" || fail "the answer lacks '$want':
$headers"
done

# One live client at most here: it hears the stream; a second is refused.
curl -sN --cacert "$IT_DIR/cert.pem" -u 'analyst:correct horse' --max-time 3 "$url/api/events" \
    >"$IT_DIR/events.out" &
first=$!
for _ in $(seq 1 25); do [[ -s $IT_DIR/events.out ]] && break; sleep 0.2; done
assert_eq "a second live client" 503 "$(status -u 'analyst:correct horse' --max-time 3 "$url/api/events")"
wait "$first" || true
grep -q '^retry: 3000' "$IT_DIR/events.out" || fail "the event stream did not start"
say "passed"
