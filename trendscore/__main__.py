from trendscore.cli import main

main()
