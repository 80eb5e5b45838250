" EDL project files.
autocmd BufRead,BufNewFile *.edl setfiletype edl
