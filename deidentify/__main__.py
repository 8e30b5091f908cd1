from deidentify.cli import main

raise SystemExit(main())
