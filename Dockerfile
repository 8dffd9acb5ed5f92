# stackdoctor in an image of its own: one static binary, nothing else.
#
# Build it with packaging/build-image.sh (it builds the static binary on the
# host, then this file copies it in; no base image is pulled):
#
#   packaging/build-image.sh stackdoctor
#
# Run it against a project mounted at /work:
#
#   docker run --rm -v "$PWD":/work:ro stackdoctor diagnose /work --offline
#
# The build context is the folder the script fills: the binary alone.
FROM scratch
COPY stackdoctor /stackdoctor
WORKDIR /work
ENTRYPOINT ["/stackdoctor"]
CMD ["diagnose", "/work"]
