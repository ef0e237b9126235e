{% macro load_landing() -%}
    {#- Copy every <entity>.csv or <entity>.parquet of the landing folder into raw.<entity>,
        all columns as text, after checking the file and its columns against the landing
        contract (the `landing` source). The folder is MVOI_RAW_DIR, else the bundled sample
        (`sample/`, relative to the project folder dbt runs in). Runs at the start of
        `dbt build` / `dbt run`. -#}
    {%- set raw_dir = env_var('MVOI_RAW_DIR', '') | trim or 'sample' -%}
    {%- if not execute or flags.WHICH not in ['build', 'run'] -%}
        {{ return('') }}
    {%- endif -%}
    {%- set raw_dir = raw_dir.rstrip('/') -%}
    {%- if run_query("select count(*) from glob('" ~ _sql_text(raw_dir) ~ "/*')").columns[0].values()[0] == 0 -%}
        {{ exceptions.raise_compiler_error("Landing folder " ~ raw_dir ~ " (MVOI_RAW_DIR) does not exist or is empty.") }}
    {%- endif -%}
    {%- do run_query("create schema if not exists raw") -%}
    {%- do run_query(
        "create or replace table raw.landing_files (entity varchar, file_path varchar, file_format varchar, "
        ~ "row_count bigint, missing_optional_columns varchar, extra_columns varchar, loaded_at timestamp)"
    ) -%}
    {%- for node in graph.sources.values() if node.source_name == 'landing' -%}
        {%- do _load_landing_entity(raw_dir, node) -%}
    {%- endfor -%}
    {{ return('') }}
{%- endmacro %}


{% macro _load_landing_entity(raw_dir, node) -%}
    {#- Check and copy one landing entity; stops the build with a message naming the file and
        the column when a required file or column is missing. -#}
    {%- set entity = node.name -%}
    {%- set contract_columns = node.columns.values() | list -%}
    {%- set found = [] -%}
    {%- for ext in ['csv', 'parquet'] -%}
        {%- set path = raw_dir ~ '/' ~ entity ~ '.' ~ ext -%}
        {%- if run_query("select count(*) from glob('" ~ _sql_text(path) ~ "')").columns[0].values()[0] > 0 -%}
            {%- do found.append((ext, path)) -%}
        {%- endif -%}
    {%- endfor -%}

    {%- if found | length > 1 -%}
        {{ exceptions.raise_compiler_error(
            "Landing folder " ~ raw_dir ~ " holds both " ~ entity ~ ".csv and " ~ entity
            ~ ".parquet: deliver one file per entity.") }}
    {%- endif -%}

    {%- if found | length == 0 -%}
        {%- if node.meta.get('required', true) -%}
            {{ exceptions.raise_compiler_error(
                "Landing file " ~ raw_dir ~ "/" ~ entity ~ ".csv (or " ~ entity
                ~ ".parquet) is missing: " ~ entity ~ " is a required entity of the landing contract.") }}
        {%- endif -%}
        {#- an optional entity that was not delivered is an empty table -#}
        {%- set cols = [] -%}
        {%- for c in contract_columns -%}{%- do cols.append('"' ~ c.name ~ '" varchar') -%}{%- endfor -%}
        {%- do run_query("create or replace table raw." ~ entity ~ " (" ~ cols | join(', ') ~ ")") -%}
        {%- do run_query("insert into raw.landing_files values ('" ~ entity ~ "', null, 'absent', 0, null, null, now())") -%}
        {{ return('') }}
    {%- endif -%}

    {%- set ext, path = found[0] -%}
    {%- if ext == 'csv' -%}
        {%- do _check_landing_encoding(path) -%}
        {#- the header row as delivered, read as a data row so that names stay exactly as written -#}
        {%- set reader = "read_csv('" ~ _sql_text(path) ~ "', all_varchar = true, delim = ',', quote = '\"', escape = '\"', encoding = 'utf-8'" -%}
        {%- set header_rows = run_query("select * from " ~ reader ~ ", header = false) limit 1") -%}
        {%- if header_rows.rows | length == 0 -%}
            {{ exceptions.raise_compiler_error("Landing file " ~ path ~ " is empty: it has no header row.") }}
        {%- endif -%}
        {%- set delivered = [] -%}
        {%- for value in header_rows.rows[0].values() -%}
            {%- do delivered.append((value or '') | replace('\ufeff', '')) -%}
        {%- endfor -%}
    {%- else -%}
        {%- set reader = "read_parquet('" ~ _sql_text(path) ~ "'" -%}
        {%- set delivered = run_query("select * from " ~ reader ~ ") limit 0").column_names | list -%}
    {%- endif -%}

    {#- column names match case-insensitively after trimming -#}
    {%- set by_name = {} -%}
    {%- for original in delivered -%}
        {%- set normalized = original | trim | lower -%}
        {%- if normalized in by_name -%}
            {{ exceptions.raise_compiler_error(
                "Landing file " ~ path ~ ": column " ~ normalized ~ " appears more than once in the header.") }}
        {%- endif -%}
        {%- do by_name.update({normalized: loop.index0}) -%}
    {%- endfor -%}

    {%- set selects = [] -%}
    {%- set missing_optional = [] -%}
    {%- for c in contract_columns -%}
        {%- if c.name in by_name -%}
            {%- do selects.append('cast(#' ~ (by_name[c.name] + 1) ~ ' as varchar) as "' ~ c.name ~ '"') -%}
        {%- elif c.meta.get('required', true) -%}
            {{ exceptions.raise_compiler_error(
                "Landing file " ~ path ~ " lacks the required column " ~ c.name ~ " of entity " ~ entity ~ ".") }}
        {%- else -%}
            {%- do missing_optional.append(c.name) -%}
            {%- do selects.append('cast(null as varchar) as "' ~ c.name ~ '"') -%}
        {%- endif -%}
    {%- endfor -%}
    {%- set known = contract_columns | map(attribute='name') | list -%}
    {%- set extra = [] -%}
    {%- for name in by_name if name not in known -%}{%- do extra.append(name) -%}{%- endfor -%}
    {%- if extra -%}
        {{ log("WARNING landing file " ~ path ~ ": extra columns ignored: " ~ extra | join(', '), info=true) }}
    {%- endif -%}

    {%- if ext == 'csv' -%}
        {%- set from_clause = reader ~ ", header = true, strict_mode = true, null_padding = false)" -%}
    {%- else -%}
        {%- set from_clause = reader ~ ")" -%}
    {%- endif -%}
    {%- do run_query("create or replace table raw." ~ entity ~ " as select " ~ selects | join(', ') ~ " from " ~ from_clause) -%}
    {%- set row_count = run_query("select count(*) from raw." ~ entity).columns[0].values()[0] -%}
    {%- do run_query(
        "insert into raw.landing_files values ('" ~ entity ~ "', '" ~ _sql_text(path) ~ "', '" ~ ext ~ "', "
        ~ row_count ~ ", " ~ _sql_list(missing_optional) ~ ", " ~ _sql_list(extra) ~ ", now())"
    ) -%}
{%- endmacro %}


{% macro _check_landing_encoding(path, max_bytes=536870912) -%}
    {#- Stop the build with a message naming the file when a landing CSV is not UTF-8 (e.g. a
        Windows-1252 / Latin-1 export): DuckDB's own CSV error buries the file name in a dump
        of reader options and quotes the wrong line. The whole file is decoded once in DuckDB
        (try(decode(...)) is null when a byte sequence is not UTF-8); files above max_bytes
        (512 MiB) are not probed, to bound memory: DuckDB's reader still refuses them, with its
        own message, which also names the file. -#}
    {%- set size = run_query("select size from read_blob('" ~ _sql_text(path) ~ "')").columns[0].values()[0] -%}
    {%- if size is not none and size <= max_bytes -%}
        {%- set probe = run_query(
            "select try(decode(content)) is null from read_blob('" ~ _sql_text(path) ~ "')") -%}
        {%- if probe.columns[0].values()[0] -%}
            {{ exceptions.raise_compiler_error(
                "Landing file " ~ path ~ " is not UTF-8 encoded text: the landing contract requires "
                ~ "UTF-8 (a BOM is allowed). Export it again as UTF-8 (in Excel: 'CSV UTF-8'); "
                ~ "a file saved as Windows-1252/Latin-1 fails here on letters such as é or ë.") }}
        {%- endif -%}
    {%- endif -%}
{%- endmacro %}


{% macro _sql_text(value) -%}
    {#- a value for use inside a single-quoted SQL string literal -#}
    {{- return(value | replace("'", "''")) -}}
{%- endmacro %}


{% macro _sql_list(values) -%}
    {#- a list of names as a quoted comma-separated SQL literal, or null when empty -#}
    {%- if values -%}
        {{- return("'" ~ (values | join(', ') | replace("'", "''")) ~ "'") -}}
    {%- else -%}
        {{- return('null') -}}
    {%- endif -%}
{%- endmacro %}
