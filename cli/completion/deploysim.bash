# bash completion for deploysim. The commands and options come from `deploysim --help` and
# `deploysim COMMAND --help` when completing, so they are always those of the installed version.

_deploysim_words_from_help() {
  # Options: every -x / --long at the start of an option line.
  # Commands: the first word of each line in the Subcommands section.
  "$@" --help 2>/dev/null | awk '
    /^[A-Za-z ]*[Ss][Uu][Bb][Cc][Oo][Mm][Mm][Aa][Nn][Dd][Ss]:/ { sub_section = 1; next }
    /^[A-Za-z ]*:$/ { sub_section = 0 }
    sub_section && /^  [a-z]/ { print $1; next }
    /^ +-/ {
      for (i = 1; i <= NF; ++i) {
        word = $i; sub(/,$/, "", word)
        if (word ~ /^--?[A-Za-z]/) { sub(/=.*/, "", word); print word } else break
      }
    }'
}

_deploysim() {
  local cur prev command i
  cur=${COMP_WORDS[COMP_CWORD]}
  prev=${COMP_WORDS[COMP_CWORD - 1]}
  command=""
  for ((i = 1; i < COMP_CWORD; ++i)); do
    if [[ ${COMP_WORDS[i]} != -* ]]; then
      command=${COMP_WORDS[i]}
      break
    fi
  done

  # Values that are files, or one of a few words.
  case $prev in
    --trace | --timeseries | --notifications | --csv | --jsonl | --config | --output | -o | \
      --observed | --baseline | --write-baseline | --incidents | --faults | --counterexample)
      mapfile -t COMPREPLY < <(compgen -f -- "$cur")
      return
      ;;
    --export)
      mapfile -t COMPREPLY < <(compgen -W "influx=http://127.0.0.1:8086/write?db=deploysim influx= openmetrics=" -- "$cur")
      compopt -o nospace 2>/dev/null
      return
      ;;
    --fault-kind)
      mapfile -t COMPREPLY < <(compgen -W "skip_host install_fails_once install_fails health_check_passes_bad health_check_fails_good host_crash_mid_update alert_silent alert_late scrape_missed person_unreachable person_slow flag_early flag_wrong_percent group_unreachable canary_misleading" -- "$cur")
      return
      ;;
    --datasource)
      mapfile -t COMPREPLY < <(compgen -W "influxdb prometheus" -- "$cur")
      return
      ;;
  esac

  if [[ -z $command ]]; then
    mapfile -t COMPREPLY < <(compgen -W "$(_deploysim_words_from_help "${COMP_WORDS[0]}")" -- "$cur")
    return
  fi
  if [[ $cur == -* ]]; then
    mapfile -t COMPREPLY < <(compgen -W "$(_deploysim_words_from_help "${COMP_WORDS[0]}" "$command")" -- "$cur")
    return
  fi
  # Scenario, manifest and config files.
  mapfile -t COMPREPLY < <(compgen -f -- "$cur")
}

complete -o filenames -F _deploysim deploysim
