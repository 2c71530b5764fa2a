# fish completion for flux-krea
# A thin shim: `flux-krea __complete -- <words>` works out what fits (the same TypeScript for
# bash, zsh and fish) and this hands it to fish. Install: copy to
# ~/.config/fish/completions/flux-krea.fish, or run `flux-krea completion fish | source`.
# Written by `flux-krea completion fish` (npm run completions); do not edit by hand.

function __flux_krea_complete
    set -l tokens (commandline -opc)
    set -l cur (commandline -ct)
    set -l out (flux-krea __complete -- $tokens[2..-1] $cur 2>/dev/null)
    set -q out[1]; or return
    # For --flag=value, file names are completed after the `=` and keep it.
    set -l prefix (string match -r -- '^--[^=]+=' $cur)
    set -l value (string replace -r -- '^--[^=]+=' '' $cur)
    switch $out[-1]
        case :file
            __fish_complete_path $value | string replace -r -- '^' "$prefix"
        case :dir
            __fish_complete_directories $value | string replace -r -- '^' "$prefix"
        case '*'
            set -e out[-1]
            printf '%s\n' $out
    end
end

# Prompts and most arguments are free text, not file names.
complete -c flux-krea -f -a '(__flux_krea_complete)'
