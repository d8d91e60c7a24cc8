from cctk.cli.main import main

main()
