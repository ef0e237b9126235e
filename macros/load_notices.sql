{% macro load_notices() -%}
    {#- Fill schema raw_notices with the public notices, a second source kept apart from the
        organisations' own deliveries (schema raw): the landing folder that `mvoi ingest-notices`
        writes, read from MVOI_NOTICES_DIR (default <MVOI_WAREHOUSE_DIR or warehouse>/notices).
        Each table of the `notices` source becomes raw_notices.<table>, its declared columns
        as text (names matched case-insensitively after trimming; a column the file lacks is
        null). The folder is our own command's output, so an absent folder or file is simply
        an empty table (no notices). Runs at the start of `dbt build` / `dbt run`
        (docs/notices.md, "In the warehouse"). -#}
    {%- if not execute or flags.WHICH not in ['build', 'run'] -%}
        {{ return('') }}
    {%- endif -%}
    {%- set notices_dir = (env_var('MVOI_NOTICES_DIR', '') | trim
        or (env_var('MVOI_WAREHOUSE_DIR', '') | trim or 'warehouse') ~ '/notices').rstrip('/') -%}
    {%- do run_query("create schema if not exists raw_notices") -%}
    {%- set loaded = [] -%}
    {%- for node in graph.sources.values() if node.source_name == 'notices' -%}
        {%- do loaded.append(node.name ~ ': ' ~ _load_notices_table(notices_dir, node)) -%}
    {%- endfor -%}
    {{ log("Notices: " ~ notices_dir ~ " (" ~ loaded | join(', ') ~ " rows)", info=true) }}
    {{ return('') }}
{%- endmacro %}


{% macro _load_notices_table(notices_dir, node) -%}
    {#- raw_notices.<table> from <notices_dir>/<table>.csv (the loader's CSV reading rules:
        UTF-8, comma, double quotes, header row, every value as text); an empty table with
        the declared columns when the file is absent. Returns the row count. -#}
    {%- set columns = node.columns.keys() | list -%}
    {%- set path = notices_dir ~ '/' ~ node.name ~ '.csv' -%}
    {%- set exists = run_query("select count(*) from glob('" ~ _sql_text(path) ~ "')").columns[0].values()[0] > 0 -%}
    {%- set selects = [] -%}
    {%- if exists -%}
        {%- set reader = "read_csv('" ~ _sql_text(path) ~ "', all_varchar = true, delim = ',', quote = '\"', "
            ~ "escape = '\"', encoding = 'utf-8', header = true, strict_mode = true, null_padding = false)" -%}
        {%- set by_name = {} -%}
        {%- for original in run_query("select * from " ~ reader ~ " limit 0").column_names -%}
            {%- do by_name.update({(original | replace('\ufeff', '') | trim | lower): loop.index0}) -%}
        {%- endfor -%}
        {%- for c in columns -%}
            {%- if c in by_name -%}
                {%- do selects.append('cast(#' ~ (by_name[c] + 1) ~ ' as varchar) as "' ~ c ~ '"') -%}
            {%- else -%}
                {%- do selects.append('cast(null as varchar) as "' ~ c ~ '"') -%}
            {%- endif -%}
        {%- endfor -%}
        {%- do run_query("create or replace table raw_notices." ~ node.name ~ " as select "
            ~ selects | join(', ') ~ " from " ~ reader) -%}
    {%- else -%}
        {%- for c in columns -%}{%- do selects.append('cast(null as varchar) as "' ~ c ~ '"') -%}{%- endfor -%}
        {%- do run_query("create or replace table raw_notices." ~ node.name ~ " as select "
            ~ selects | join(', ') ~ " limit 0") -%}
    {%- endif -%}
    {{ return(run_query("select count(*) from raw_notices." ~ node.name).columns[0].values()[0]) }}
{%- endmacro %}
