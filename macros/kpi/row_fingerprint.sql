{% macro row_fingerprint(columns, relation) -%}
    {#- A change-detection fingerprint of a row of `relation` (an alias): DuckDB's 64-bit hash
        over the listed columns (null-aware and positional, so ('a', null) and (null, 'a')
        differ). The incremental spend fact compares the fingerprints of a stored line and of
        its enrichment now, both computed in that run, so nothing is stored and a DuckDB
        upgrade (whose hash may differ) changes nothing. A collision (1 in 2^64 per changed
        line) would leave that line as it was. -#}
    hash(
        {%- for column in columns %}
        {{ relation }}.{{ column }}{{ ',' if not loop.last }}
        {%- endfor %}
    )
{%- endmacro %}
