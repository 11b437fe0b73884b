from ascready.cli import main

main()
