# wfk for CI runners and as the Argo CD config management plugin sidecar.
#   docker build -t wfk .            (WFK_COMMIT=$(git rev-parse --short=12 HEAD) as a build arg
#                                     names the commit in `wfk version`)
# Not built by this repository's CI (its machines run no container builds): the build step
# is the command CI runs, `cargo build --release --locked`, and the image adds nothing but
# the binary, a shell (Argo CD runs the plugin's command through `sh -c`) and a non-root user.
# The compiler is the one link/symbol-order.txt was written with (its header names it):
# another one names every function differently, and the binary would lose the layout that
# keeps a small render near 7 MiB (tests/it/symbol_order.rs checks the two agree).
FROM rust:1.95.0-slim-bookworm AS build
ARG WFK_COMMIT=
ENV WFK_COMMIT=${WFK_COMMIT}
WORKDIR /src
COPY . .
RUN cargo build --release --locked && strip target/release/wfk

FROM debian:bookworm-slim
# UID 999: the user Argo CD's repo-server sidecars run as.
RUN useradd --uid 999 --user-group --create-home --shell /bin/sh wfk
COPY --from=build /src/target/release/wfk /usr/local/bin/wfk
USER 999:999
WORKDIR /home/wfk
ENTRYPOINT ["wfk"]
CMD ["--help"]
