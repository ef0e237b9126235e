from mvoi.cli import main

raise SystemExit(main())
