# syntax=docker/dockerfile:1
FROM debian:bookworm-slim
ARG DEBIAN_FRONTEND=noninteractive
RUN <<EOF
set -eux
apt-get update
apt-get install -y --no-install-recommends python3
rm -rf /var/lib/apt/lists/*
EOF
ENV GREETING=hello
COPY <<-EOT /etc/motd
	$GREETING from the image
	EOT
COPY <<'EOT' /usr/local/bin/greet
#!/bin/sh
echo "$GREETING, $1"
EOT
RUN <<PY
#!/usr/bin/env python3
print("built with python")
PY
RUN chmod +x /usr/local/bin/greet
ENTRYPOINT ["/usr/local/bin/greet"]
CMD ["world"]
