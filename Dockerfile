# One image for every gridloop service; docker-compose.yml picks the service
# with its `command` (for example `python -m services.intake`).

FROM python:3.11-slim AS build

ENV PIP_NO_CACHE_DIR=1 \
    PIP_DISABLE_PIP_VERSION_CHECK=1 \
    PYTHONDONTWRITEBYTECODE=1

RUN python -m venv /opt/venv
ENV PATH=/opt/venv/bin:$PATH

WORKDIR /src

# Dependencies first, from pyproject.toml alone, so that a code change does not
# reinstall them. An empty package stands in for the code during this step.
COPY pyproject.toml ./
RUN mkdir -p shared services \
    && touch shared/__init__.py services/__init__.py \
    && pip install . \
    && pip uninstall --yes gridloop \
    && rm -rf build *.egg-info

COPY shared ./shared
COPY services ./services
RUN pip install --no-deps . \
    && rm -rf build *.egg-info


FROM python:3.11-slim

ENV PATH=/opt/venv/bin:$PATH \
    PYTHONUNBUFFERED=1 \
    PYTHONDONTWRITEBYTECODE=1 \
    GRIDLOOP_HTTP_HOST=0.0.0.0

RUN groupadd --system --gid 10001 gridloop \
    && useradd --system --uid 10001 --gid gridloop --home-dir /app \
        --shell /usr/sbin/nologin gridloop

COPY --from=build /opt/venv /opt/venv

WORKDIR /app
USER gridloop:gridloop

EXPOSE 8001 8002 8003 8004

# Every service overrides this in docker-compose.yml.
CMD ["python", "-c", "print('gridloop image: run with python -m services.<name>')"]
