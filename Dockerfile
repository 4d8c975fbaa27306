# OnRecord: the Slack or Discord bot, with the bundled transcripts' index built into the image.
#   docker build -t onrecord .
#   docker run --env-file .env onrecord slack        (or: discord)
# Your own transcripts: build an index with `onrecord index build … --out DIR` and mount DIR at
# /srv/onrecord/index (read-only is fine), or point ONRECORD_INDEX elsewhere; or mount a folder of
# transcripts and set ONRECORD_CORPUS to it (indexed at every start, it wins over ONRECORD_INDEX).

FROM python:3.11-slim-bookworm AS build
ENV PIP_DISABLE_PIP_VERSION_CHECK=1 PIP_NO_CACHE_DIR=1
WORKDIR /src
RUN python -m venv /opt/onrecord
# The dependencies first, in a layer of their own: a change to the code does not reinstall numpy and scipy.
COPY pyproject.toml README.md ./
RUN python -c "import tomllib; print(*tomllib.load(open('pyproject.toml', 'rb'))['project']['dependencies'], sep='\n')" \
      > /tmp/requirements.txt \
 && /opt/onrecord/bin/pip install -r /tmp/requirements.txt
COPY seeds ./seeds
COPY index ./index
COPY bot ./bot
# The same steps as the tests' clean-install check (tests/cli/test_wheel_install.py): a wheel, installed
# into a fresh virtual environment, then the seeds' index built with the installed command.
RUN /opt/onrecord/bin/pip wheel --no-deps --wheel-dir /wheels . \
 && /opt/onrecord/bin/pip install --no-deps /wheels/onrecord-*.whl \
 && /opt/onrecord/bin/onrecord index build --out /srv/onrecord/index

FROM python:3.11-slim-bookworm
# DejaVu: the fonts of the daily quote's card (…@card).
RUN apt-get update \
 && apt-get install -y --no-install-recommends fonts-dejavu-core \
 && rm -rf /var/lib/apt/lists/*
RUN useradd --system --uid 10001 --create-home --home-dir /home/onrecord onrecord
COPY --from=build /opt/onrecord /opt/onrecord
COPY --from=build /srv/onrecord/index /srv/onrecord/index
ENV PATH=/opt/onrecord/bin:$PATH \
    PYTHONUNBUFFERED=1 \
    ONRECORD_INDEX=/srv/onrecord/index \
    ONRECORD_PORT=3000 \
    ONRECORD_HEALTH_PORT=8080
USER onrecord
WORKDIR /home/onrecord
EXPOSE 3000 8080
HEALTHCHECK --interval=30s --timeout=5s --start-period=60s --retries=3 \
  CMD ["python", "-c", "import os, urllib.request; urllib.request.urlopen('http://127.0.0.1:' + os.environ['ONRECORD_HEALTH_PORT'] + '/healthz', timeout=4)"]
# Exec form: SIGTERM reaches the bot, which finishes the answers under way and exits.
ENTRYPOINT ["onrecord", "serve"]
CMD ["slack"]
