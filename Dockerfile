# pgadmit container image: build on Debian 12, run on Debian 12 slim with only
# the runtime libraries, as UID 65532, no shell needed by the entrypoint.
#   docker build -t pgadmit/pgadmit:$(cat VERSION) .
# The runtime package list below is checked by `make install-test`: every
# library the installed binary needs must come from one of these packages (or
# their dependencies). Keep the two stages' package lists in step with the
# Makefile's pkg-config list.

FROM debian:12 AS build
RUN apt-get update \
 && DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends \
      build-essential pkg-config \
      libyaml-dev libjansson-dev libmicrohttpd-dev libgnutls28-dev \
      libpq-dev libssl-dev libcurl4-openssl-dev \
 && rm -rf /var/lib/apt/lists/*
WORKDIR /src
COPY . .
RUN make -j"$(nproc)" all \
 && make install DESTDIR=/out PREFIX=/usr \
 && /out/usr/bin/pgadmit --version

FROM debian:12-slim
# runtime-packages: libyaml-0-2 libjansson4 libmicrohttpd12 libgnutls30 libpq5 libssl3 libcurl4 ca-certificates
RUN apt-get update \
 && DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends \
      libyaml-0-2 libjansson4 libmicrohttpd12 libgnutls30 libpq5 libssl3 libcurl4 ca-certificates \
 && rm -rf /var/lib/apt/lists/*
COPY --from=build /out/usr/bin/pgadmit /usr/bin/pgadmit
USER 65532:65532
EXPOSE 8443
ENTRYPOINT ["/usr/bin/pgadmit"]
CMD ["serve"]
